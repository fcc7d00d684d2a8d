package io.parley.gateway;

import io.parley.api.ApiError;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/** The REST API's query parameters, refused by their own names when malformed or given twice. */
final class QueryParameters {
  private QueryParameters() {}

  /**
   * The query parameter {@code name}, if given; given twice it is refused, as a JSON field given
   * twice is, rather than read as either copy.
   */
  static Route once(String name, Function<Optional<String>, Route> inner) {
    return Directives.parameterList(name, values -> values.size() > 1
        ? Directives.complete(HttpApi.errorResponse(
            ApiError.badRequest("the query parameter \"" + name + "\" is given twice")))
        : inner.apply(values.stream().findFirst()));
  }

  static Integer integer(String name, Optional<String> value) {
    Long parsed = number(name, value);
    if (parsed != null && (parsed > Integer.MAX_VALUE || parsed < Integer.MIN_VALUE)) {
      throw ApiError.badRequest(name + " is out of range");
    }
    return parsed == null ? null : parsed.intValue();
  }

  static Long number(String name, Optional<String> value) {
    if (value.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(value.get());
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(name + (value.get().matches("[-+]?[0-9]+") ? " is out of range" : " must be an integer"));
    }
  }

  /** A seq to page from: history's own check would name the WebSocket's field, not this parameter. */
  static Long positive(String name, Optional<String> value) {
    Long parsed = number(name, value);
    if (parsed != null && parsed < 1) {
      throw ApiError.badRequest(name + " must be a positive integer");
    }
    return parsed;
  }
}
