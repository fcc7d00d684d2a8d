package io.parley.gateway;

import io.parley.api.ApiError;
import io.parley.media.MediaActor;
import io.parley.media.MediaService;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code /v1/media/{id}}: the object streamed from storage to a user who may see it ({@code GET}),
 * or the same answer without its body ({@code HEAD}). The headers keep a browser from running an
 * uploaded page or script in Parley's origin.
 */
final class MediaFetches extends AllDirectives {
  private final MediaService media;

  MediaFetches(MediaService media) {
    this.media = media;
  }

  /** The route of one media id, for a user with a valid token. */
  Route route(String userId, String mediaId) {
    return concat(get(() -> download(userId, mediaId)), head(() -> describe(userId, mediaId)));
  }

  private Route download(String userId, String mediaId) {
    CompletionStage<HttpResponse> response =
        ChatService.guarded(() -> media.open(userId, mediaId).thenApply(ChatService::valueOrThrow))
            .thenApply(download -> answer(download.media(), download.bytes()))
            .exceptionally(failure -> HttpApi.errorResponse(ApiError.from(failure)));
    return completeWithFuture(response);
  }

  /**
   * As {@link #download}, under the same rules, without reading the bytes or taking a download's
   * place: the server sends no body in answer to HEAD, only the length its entity declares.
   */
  private Route describe(String userId, String mediaId) {
    CompletionStage<HttpResponse> response =
        ChatService.guarded(() -> media.describe(userId, mediaId).thenApply(ChatService::valueOrThrow))
            .thenApply(found -> answer(found, Source.empty()))
            .exceptionally(failure -> HttpApi.errorResponse(ApiError.from(failure)));
    return completeWithFuture(response);
  }

  private static HttpResponse answer(MediaActor.Media found, Source<ByteString, ?> bytes) {
    ContentType type = parseContentType(found.contentType());
    ResponseEntity entity = found.size() == 0
        ? HttpEntities.create(type, new byte[0])
        : HttpEntities.create(type, found.size(), bytes);
    return HttpResponse.create()
        .withEntity(entity)
        .addHeader(RawHeader.create("Cache-Control", "private, max-age=3600"))
        .addHeader(RawHeader.create("X-Content-Type-Options", "nosniff"))
        .addHeader(RawHeader.create("Content-Security-Policy", "sandbox; default-src 'none'"));
  }

  private static ContentType parseContentType(String value) {
    try {
      return ContentTypes.parse(value);
    } catch (RuntimeException unparseable) {
      return ContentTypes.APPLICATION_OCTET_STREAM;
    }
  }
}
