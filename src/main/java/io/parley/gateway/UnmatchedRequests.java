package io.parley.gateway;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What the API answers a request none of its routes takes: a method an endpoint does not take is
 * 405 (code {@code bad_request}) with an {@code Allow} header naming those it does (an endpoint
 * that needs a token checks it first: without one, 401); any other request, whatever its method,
 * is 404 {@code not_found} naming its whole path.
 */
final class UnmatchedRequests extends AllDirectives {
  /** {@code routes} (the API's, each ending in a method directive), then these answers. */
  Route around(Supplier<Route> routes) {
    RejectionHandler methods = RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, this::methodNotAllowed)
        .build();
    return concat(handleRejections(methods, routes), notFound());
  }

  /** 404 {@code not_found}, naming the request's path. */
  Route notFound() {
    return extractUri(uri -> complete(HttpApi.errorResponse(
        new ApiError(ErrorCode.NOT_FOUND, "no such endpoint: " + uri.path()))));
  }

  private Route methodNotAllowed(List<MethodRejection> rejections) {
    List<HttpMethod> allowed = rejections.stream().map(MethodRejection::supported).distinct().toList();
    String names = allowed.stream().map(HttpMethod::value).collect(Collectors.joining(", "));
    return extractRequest(request -> complete(HttpApi.errorResponse(ApiError.badRequest(
            request.method().value() + " is not allowed on " + request.getUri().path() + "; it takes " + names))
        .withStatus(StatusCodes.METHOD_NOT_ALLOWED)
        .addHeader(Allow.create(allowed.toArray(HttpMethod[]::new)))));
  }
}
