package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.parley.auth.JwtAuth;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationSettings;
import io.parley.conversation.MessageHistory;
import io.parley.gateway.relay.KnownLargeGroups;
import io.parley.gateway.relay.LargeGroupInbox;
import io.parley.gateway.session.ClientFrames;
import io.parley.limits.RateLimits;
import io.parley.limits.RequestTimeouts;
import io.parley.privacy.ContentSealing;
import io.parley.testing.EntityHarness;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Under overload a send waits for its turn instead of being refused: it may wait on the
 * conversation for the send timeout, longer than other requests may wait on an entity.
 */
class SendTimeoutTest {
  static final RequestTimeouts TIMEOUTS = new RequestTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30));

  EntityHarness harness;
  ManualTime time;
  TestProbe<UserActor.Command> bob;
  TestProbe<ConversationActor.Command> conversation;
  ClientFrames frames;

  @BeforeEach
  void start() {
    harness = new EntityHarness(ConfigFactory.empty().withFallback(ManualTime.config()).root().render());
    time = ManualTime.get(harness.testKit.system());
    bob = harness.userProbe("bob");
    conversation = harness.conversationProbe("d:alice:bob");
    var system = harness.testKit.system();
    var chat = new ChatService(harness, new MessageHistory(harness, null, TIMEOUTS.ask(), system), null,
        RateLimits.from(harness.config.getConfig("parley.gateway.rate-limit"), harness.clock, harness, TIMEOUTS,
            system.scheduler()),
        ConversationSettings.from(harness.config), TIMEOUTS, new ContentSealing(harness.contentKeys),
        new LargeGroupInbox(harness, KnownLargeGroups.over(harness.groupMembers), TIMEOUTS.ask(), system), system);
    frames = new ClientFrames("bob", "phone", chat, new JwtAuth("a-secret-of-at-least-thirty-two-bytes-0123",
        harness.clock), harness, harness.testKit.createTestProbe().ref());
  }

  @AfterEach
  void stop() {
    harness.shutdown();
  }

  private CompletableFuture<Optional<String>> send(String id) {
    return frames.handle("{\"type\": \"msg.send\", \"req_id\": \"" + id + "\", \"conversation_id\": \"d:alice:bob\", "
        + "\"client_msg_id\": \"" + id + "\", \"content\": \"hi\"}").toCompletableFuture();
  }

  @Test
  void aSendQueuedLongerThanTheAskTimeoutIsStillAcked() throws Exception {
    CompletableFuture<Optional<String>> answer = send("s1");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(5, 0));
    var queued = conversation.expectMessageClass(ConversationActor.Send.class);
    time.timePasses(TIMEOUTS.ask().multipliedBy(3));
    assertFalse(answer.isDone(), "answered before the send timeout: " + answer.getNow(Optional.empty()));
    queued.replyTo().tell(Outcome.ok(new ConversationActor.SendAck("s1", "m-1", 1, 1000, true)));
    assertEquals("msg.ack", json(answer).get("type").asText());
  }

  @Test
  void aSendStillUnansweredAfterTheSendTimeoutIsUnavailable() throws Exception {
    CompletableFuture<Optional<String>> answer = send("s1");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(5, 0));
    conversation.expectMessageClass(ConversationActor.Send.class);
    time.timePasses(TIMEOUTS.send().plusSeconds(1));
    JsonNode error = json(answer);
    assertEquals("unavailable", error.get("code").asText(), error.toString());
    assertEquals("s1", error.get("req_id").asText());
  }

  private static JsonNode json(CompletableFuture<Optional<String>> answer) throws Exception {
    return WireFormat.JSON.readTree(answer.get(5, TimeUnit.SECONDS).orElseThrow());
  }
}
