package io.parley.gateway;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * What pekko-http answers a request it refuses while parsing it, before any route sees it (a URL
 * or header over its limit, a malformed request line or header): the status it chose, with the
 * protocol's {@code {"code","message"}} body instead of its plain text, so that a client reads
 * every error the same way. {@code pekko.http.server.parsing.error-handler} names it.
 */
public final class ParsingErrors extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    log.warning("Illegal request, responding with status '{}': {}", status, info.formatPretty());
    int code = status.intValue();
    ErrorCode error = code == 413 || code == 414 || code == 431 ? ErrorCode.TOO_LARGE : ErrorCode.BAD_REQUEST;
    String message = settings.verboseErrorMessages() ? info.formatPretty() : info.summary();
    return HttpResponse.create()
        .withStatus(code)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
            WireFormat.render(WireFormat.errorBody(new ApiError(error, message)))));
  }
}
