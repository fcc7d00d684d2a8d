package io.parley.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.limits.SizeLimit;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * The JSON bodies of the HTTP API, held to what the largest request needs: pekko-http would read
 * up to 8 MiB of each into memory and parse it, a node's core busy for seconds on a few hundred.
 * A body a little over the limit is read to its end (and dropped) so that the client, still
 * sending, gets the 413 rather than a reset connection.
 */
final class RequestBodies {
  /** How much of a body over the limit is still read, and dropped, for the client to hear why. */
  static final long DRAIN_BYTES = 1 << 20;

  private final long maxBytes;
  private final Duration readTimeout;

  /** @param readTimeout how long a body may take to arrive: bytes trickling in do not hold it longer */
  RequestBodies(long maxBytes, Duration readTimeout) {
    this.maxBytes = maxBytes;
    this.readTimeout = readTimeout;
  }

  /** The body as one JSON object; {@code too_large} past the limit, {@code bad_request} if not an object. */
  CompletionStage<ObjectNode> read(HttpEntity entity, Materializer materializer) {
    var declared = entity.getContentLengthOption();
    if (declared.isPresent() && declared.getAsLong() > maxBytes + DRAIN_BYTES) {
      // Not read at all (pekko-http closes the connection after the answer); a client that sent
      // Expect: 100-continue is answered before it sends the body.
      return CompletableFuture.failedFuture(tooLarge());
    }
    // The same limit and drain as media uploads (SizeLimit): the fold fails at the limit while the
    // body is still read to its end, or to the drain's, before the 413 goes.
    Pair<CompletionStage<Boolean>, CompletionStage<ByteString>> reading = entity.withoutSizeLimit().getDataBytes()
        .completionTimeout(readTimeout)
        .viaMat(new SizeLimit(maxBytes, DRAIN_BYTES), Keep.right())
        .toMat(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.both())
        .run(materializer);
    return reading.second()
        .thenApply(body -> ClientJson.parseObject(utf8(body), "the body"))
        .exceptionallyCompose(failure -> {
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          if (cause instanceof SizeLimit.TooLarge) {
            return reading.first().thenApply(drained -> {
              throw tooLarge();
            });
          }
          if (cause instanceof TimeoutException) {
            throw ApiError.badRequest("the body did not arrive within " + readTimeout.toSeconds() + " s");
          }
          return CompletableFuture.failedFuture(cause);
        });
  }

  /** Strictly: bytes that are not UTF-8 would otherwise be read, and stored, as U+FFFD. */
  private static String utf8(ByteString body) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(body.asByteBuffer()).toString();
    } catch (CharacterCodingException notUtf8) {
      throw ApiError.badRequest("the body is not UTF-8 text, as JSON must be");
    }
  }

  private ApiError tooLarge() {
    return new ApiError(ErrorCode.TOO_LARGE, "a request body is at most " + maxBytes + " bytes");
  }
}
