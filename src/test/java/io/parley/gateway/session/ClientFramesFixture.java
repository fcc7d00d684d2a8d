package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.auth.JwtAuth;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationSettings;
import io.parley.conversation.MessageHistory;
import io.parley.gateway.ChatService;
import io.parley.gateway.WireFormat;
import io.parley.gateway.relay.KnownLargeGroups;
import io.parley.gateway.relay.LargeGroupInbox;
import io.parley.limits.RateLimits;
import io.parley.limits.RequestTimeouts;
import io.parley.privacy.ContentKeys;
import io.parley.privacy.ContentSealing;
import io.parley.testing.EntityHarness;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the tests of one connection's client frames share: a {@link ClientFrames} for bob's phone
 * with probes in place of the entities and the connection, and the steps that read its replies.
 */
abstract class ClientFramesFixture {
  EntityHarness harness;
  TestProbe<UserActor.Command> bob;
  TestProbe<ConversationActor.Command> conversation;
  TestProbe<Object> connection;
  JwtAuth auth;
  ClientFrames frames;

  @BeforeEach
  void start() {
    harness = new EntityHarness(config());
    bob = harness.userProbe("bob");
    conversation = harness.conversationProbe("d:alice:bob");
    connection = harness.testKit.createTestProbe();
    auth = new JwtAuth("a-secret-of-at-least-thirty-two-bytes-0123", harness.clock);
    frames = framesWith(harness.contentKeys);
  }

  /** Overrides of the harness's configuration, for a test class that needs some. */
  String config() {
    return "";
  }

  /** How long a request waits on entities, for a test class that needs it shorter. */
  RequestTimeouts timeouts() {
    return new RequestTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5));
  }

  ClientFrames framesWith(ContentKeys keys) {
    var settings = ConversationSettings.from(harness.config);
    var timeouts = timeouts();
    var chat = new ChatService(harness, new MessageHistory(harness, null, Duration.ofSeconds(5), harness.testKit.system()),
        null, RateLimits.from(harness.config.getConfig("parley.gateway.rate-limit"), harness.clock, harness,
            timeouts, harness.testKit.system().scheduler()), settings, timeouts,
        new ContentSealing(keys),
        new LargeGroupInbox(harness, KnownLargeGroups.over(harness.groupMembers), Duration.ofSeconds(5),
            harness.testKit.system()),
        harness.testKit.system());
    return new ClientFrames("bob", "phone", chat, auth, harness, connection.ref());
  }

  @AfterEach
  void stop() {
    harness.shutdown();
  }

  CompletionStage<Optional<String>> send(String reqId) {
    return frames.handle("{\"type\": \"msg.send\", \"req_id\": \"" + reqId + "\", "
        + "\"conversation_id\": \"d:alice:bob\", \"client_msg_id\": \"" + reqId + "\", \"content\": \"hi\"}");
  }

  CompletionStage<Optional<String>> reply(String text) {
    return frames.handle(text);
  }

  static void assertError(CompletionStage<Optional<String>> answer, String reqId, String code) {
    JsonNode error = json(answer);
    assertEquals("error", error.get("type").asText(), error.toString());
    assertEquals(code, error.get("code").asText(), error.toString());
    assertTrue(error.get("message").asText().length() > 0);
    if (reqId == null) {
      assertTrue(error.path("req_id").isMissingNode() || error.get("req_id").isNull(), error.toString());
    } else {
      assertEquals(reqId, error.get("req_id").asText());
    }
  }

  static JsonNode json(CompletionStage<Optional<String>> answer) {
    try {
      return WireFormat.JSON.readTree(join(answer).orElseThrow());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
