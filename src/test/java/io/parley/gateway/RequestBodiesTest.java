package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A JSON body is read whole only up to the limit, whether its length is declared or not. */
class RequestBodiesTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final Materializer materializer = Materializer.matFromSystem(testKit.system());
  final RequestBodies bodies = new RequestBodies(100, Duration.ofSeconds(20));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aBodyWithinTheLimitIsReadAsOneObject() {
    String json = "{\"content\":\"" + "x".repeat(100 - 14) + "\"}";
    assertEquals(100, json.length());
    assertEquals("x".repeat(86), read(HttpEntities.create(ContentTypes.APPLICATION_JSON, json)).get("content").asText());
  }

  @Test
  void aBodyPastTheLimitIsTooLargeWithItsLengthDeclaredOrNot() {
    String json = "{\"content\":\"" + "x".repeat(100) + "\"}";
    HttpEntity declared = HttpEntities.create(ContentTypes.APPLICATION_JSON, json);
    HttpEntity chunked = HttpEntities.createChunked(ContentTypes.APPLICATION_JSON,
        Source.from(List.of(
            ByteString.fromString(json.substring(0, 60)), ByteString.fromString(json.substring(60)))));
    for (HttpEntity entity : new HttpEntity[] {declared, chunked}) {
      ApiError refused = refusal(entity);
      assertEquals(ErrorCode.TOO_LARGE, refused.code);
      assertEquals("a request body is at most 100 bytes", refused.getMessage());
    }
  }

  @Test
  void aBodyFarPastTheLimitIsRefusedByItsDeclaredLengthOrOnceTheDrainIsRead() {
    byte[] far = new byte[(int) (100 + RequestBodies.DRAIN_BYTES + 1)];
    HttpEntity declared = HttpEntities.create(ContentTypes.APPLICATION_JSON, far);
    HttpEntity chunked =
        HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, Source.single(ByteString.fromArray(far)));
    for (HttpEntity entity : new HttpEntity[] {declared, chunked}) {
      assertEquals(ErrorCode.TOO_LARGE, refusal(entity).code);
    }
  }

  @Test
  void theLargestRequestFitsTheDefaultLimit() {
    // PROTOCOL.md: a membership request names up to 1,000 ids; an id is up to 64 characters.
    String ids = IntStream.range(0, 1000)
        .mapToObj(i -> "\"" + String.format("%064d", i) + "\"").collect(Collectors.joining(","));
    String json = "{\"title\":\"" + "t".repeat(200) + "\",\"members\":[" + ids + "]}";
    long limit = ConfigFactory.load().getBytes("parley.gateway.max-body-bytes");
    RequestBodies defaults = new RequestBodies(limit, Duration.ofSeconds(20));
    assertEquals(1000, defaults.read(HttpEntities.create(ContentTypes.APPLICATION_JSON, json), materializer)
        .toCompletableFuture().join().get("members").size());
  }

  @Test
  void aBodyThatDoesNotArriveInTimeIsABadRequest() {
    HttpEntity stalled = HttpEntities.createChunked(ContentTypes.APPLICATION_JSON,
        Source.single(ByteString.fromString("{\"content\":")).concat(Source.never()));
    CompletionException failed = assertThrows(CompletionException.class,
        () -> new RequestBodies(100, Duration.ofSeconds(1)).read(stalled, materializer)
            .toCompletableFuture().join());
    ApiError refused = assertInstanceOf(ApiError.class, failed.getCause());
    assertEquals(ErrorCode.BAD_REQUEST, refused.code);
    assertEquals("the body did not arrive within 1 s", refused.getMessage());
  }

  @Test
  void aBodyThatIsNotAnObjectIsABadRequest() {
    assertEquals(ErrorCode.BAD_REQUEST, refusal(HttpEntities.create(ContentTypes.APPLICATION_JSON, "[1]")).code);
  }

  /**
   * JSON is UTF-8: a body that is not (a client sending Latin-1, say) is refused, rather than its
   * bytes stored as U+FFFD in place of what the client wrote.
   */
  @Test
  void aBodyThatIsNotUtf8IsABadRequest() {
    byte[] latin1 = "{\"content\":\"caf\u00e9\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    ApiError refused = refusal(HttpEntities.create(ContentTypes.APPLICATION_JSON, latin1));
    assertEquals(ErrorCode.BAD_REQUEST, refused.code);
    assertEquals("the body is not UTF-8 text, as JSON must be", refused.getMessage());
    // A character split across two chunks is whole all the same.
    byte[] utf8 = "{\"content\":\"caf\u00e9\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    HttpEntity split = HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, Source.from(List.of(
        ByteString.fromArray(java.util.Arrays.copyOfRange(utf8, 0, 16)),
        ByteString.fromArray(java.util.Arrays.copyOfRange(utf8, 16, utf8.length)))));
    assertEquals("caf\u00e9", read(split).get("content").asText());
  }

  private ObjectNode read(HttpEntity entity) {
    return bodies.read(entity, materializer).toCompletableFuture().join();
  }

  private ApiError refusal(HttpEntity entity) {
    CompletionException failed = assertThrows(CompletionException.class, () -> read(entity));
    return assertInstanceOf(ApiError.class, failed.getCause());
  }
}
