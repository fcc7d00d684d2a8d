package io.parley.gateway;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.media.ByteSpan;
import io.parley.media.MediaActor;
import io.parley.media.MediaService;
import io.parley.media.RangeRequest;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code /v1/media/{id}}: the object streamed from storage to a user who may see it ({@code GET}),
 * or the byte range a {@code Range} header asks for, or the whole answer without its body
 * ({@code HEAD}, which takes no range). The headers keep a browser from running an
 * uploaded page or script in Parley's origin.
 */
final class MediaFetches extends AllDirectives {
  private final MediaService media;

  MediaFetches(MediaService media) {
    this.media = media;
  }

  /** The route of one media id, for a user with a valid token. */
  Route route(String userId, String mediaId) {
    return optionalHeaderValueByName("If-None-Match", ifNoneMatch ->
        MediaValidators.noneMatchFails(ifNoneMatch, MediaValidators.etag(mediaId))
            ? concat(get(() -> notModified(userId, mediaId)), head(() -> notModified(userId, mediaId)))
            : concat(get(() -> download(userId, mediaId)), head(() -> describe(userId, mediaId))));
  }

  /**
   * The whole object, or with a {@code Range} of one byte range the part it asks for (206), or
   * 416 if it asks for none of the object's bytes. Only those bytes are read from the bucket. An
   * {@code If-Range} other than the media's entity tag has the range ignored.
   */
  private Route download(String userId, String mediaId) {
    return optionalHeaderValueByName("Range", header -> optionalHeaderValueByName("If-Range", ifRange -> {
      Optional<RangeRequest> range = MediaValidators.rangeHolds(ifRange, MediaValidators.etag(mediaId))
          ? RangeHeaders.parse(header)
          : Optional.empty();
      CompletionStage<HttpResponse> response =
          ChatService.guarded(() -> media.open(userId, mediaId, range).thenApply(ChatService::valueOrThrow))
              .thenApply(download -> answer(mediaId, download, header))
              .exceptionally(failure -> HttpApi.errorResponse(ApiError.from(failure)));
      return completeWithFuture(response);
    }));
  }

  /** 304 to a user who may see the media (whose copy is current: the media never changes), as HEAD is told. */
  private Route notModified(String userId, String mediaId) {
    CompletionStage<HttpResponse> response =
        ChatService.guarded(() -> media.describe(userId, mediaId).thenApply(ChatService::valueOrThrow))
            .thenApply(found -> headers(mediaId, HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED)))
            .exceptionally(failure -> HttpApi.errorResponse(ApiError.from(failure)));
    return completeWithFuture(response);
  }

  private static HttpResponse answer(String mediaId, MediaService.Download download, Optional<String> range) {
    MediaActor.Media found = download.media();
    if (!download.satisfiable()) {
      // The size, so that the client can ask again; the error body, as every HTTP error has one.
      ApiError refused = new ApiError(ErrorCode.RANGE_NOT_SATISFIABLE,
          range.orElse("the range") + " asks for none of the " + found.size() + " bytes of this media");
      return headers(mediaId, HttpApi.errorResponse(refused))
          .addHeader(RawHeader.create("Content-Range", "bytes */" + found.size()));
    }
    if (download.part().isEmpty()) {
      return answer(mediaId, found, download.bytes());
    }
    ByteSpan part = download.part().get();
    return headers(mediaId, HttpResponse.create()
            .withStatus(StatusCodes.PARTIAL_CONTENT)
            .withEntity(HttpEntities.create(parseContentType(found.contentType()), part.length(), download.bytes())))
        .addHeader(RawHeader.create("Content-Range",
            "bytes " + part.first() + "-" + part.last() + "/" + found.size()));
  }

  /**
   * As {@link #download}, under the same rules, without reading the bytes or taking a download's
   * place: the server sends no body in answer to HEAD, only the length its entity declares.
   */
  private Route describe(String userId, String mediaId) {
    CompletionStage<HttpResponse> response =
        ChatService.guarded(() -> media.describe(userId, mediaId).thenApply(ChatService::valueOrThrow))
            .thenApply(found -> answer(mediaId, found, Source.empty()))
            .exceptionally(failure -> HttpApi.errorResponse(ApiError.from(failure)));
    return completeWithFuture(response);
  }

  private static HttpResponse answer(String mediaId, MediaActor.Media found, Source<ByteString, ?> bytes) {
    ContentType type = parseContentType(found.contentType());
    ResponseEntity entity = found.size() == 0
        ? HttpEntities.create(type, new byte[0])
        : HttpEntities.create(type, found.size(), bytes);
    return headers(mediaId, HttpResponse.create().withEntity(entity));
  }

  /** Every answer's headers: caching, its validator, ranges taken, and none of the body run as a page. */
  private static HttpResponse headers(String mediaId, HttpResponse response) {
    return response
        .addHeader(RawHeader.create("ETag", MediaValidators.etag(mediaId)))
        .addHeader(RawHeader.create("Accept-Ranges", "bytes"))
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
