package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationSettings;
import io.parley.conversation.MessageHistory;
import io.parley.gateway.relay.KnownLargeGroups;
import io.parley.gateway.relay.LargeGroupInbox;
import io.parley.limits.RateLimits;
import io.parley.privacy.ContentSealing;
import io.parley.push.PushToken;
import io.parley.push.PushTokenOwner;
import io.parley.testing.EntityHarness;
import io.parley.user.AllowanceKind;
import io.parley.user.GroupConsentSettings;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code msg.delete}, {@code conversation.leave} and a large group's {@code msg.read} count
 * against the user's read limit for every conversation, known to the node or not: a former member
 * (who knows a group's id) sending them woke the group's entity, as often as they could send them.
 */
class RefusedRequestLimitsTest {
  static final String GROUP = "g:0123456789abcdef01234567";

  EntityHarness harness;
  TestProbe<ConversationActor.Command> conversation;
  ChatService chat;
  ConversationGate gate;

  @BeforeEach
  void start() {
    harness = new EntityHarness("");
    var system = harness.testKit.system();
    conversation = harness.testKit.createTestProbe();
    // Mallory's entity: her read bucket is empty, every other limit allows.
    ActorRef<UserActor.Command> mallory = harness.testKit.spawn(Behaviors.<UserActor.Command>receiveMessage(command -> {
      if (command instanceof UserActor.LeaseAllowance lease) {
        lease.replyTo().tell(lease.kind() == AllowanceKind.READS
            ? new UserActor.AllowanceLease(0, 1500)
            : new UserActor.AllowanceLease(lease.wanted(), 0));
      } else if (command instanceof UserActor.MarkRead read) {
        read.replyTo().tell(Outcome.rejected(Outcome.Reason.NOT_MEMBER, "not in mallory's inbox"));
      }
      return Behaviors.same();
    }));
    Entities entities = new Entities() {
      @Override
      public RecipientRef<UserActor.Command> user(String userId) {
        return mallory;
      }

      @Override
      public RecipientRef<ConversationActor.Command> conversation(String conversationId) {
        return conversation.ref();
      }

      @Override
      public RecipientRef<PushTokenOwner.Command> pushTokenOwner(PushToken token) {
        return harness.pushTokenOwner(token);
      }
    };
    gate = new ConversationGate(id -> CompletableFuture.completedFuture(true), 100);
    var timeouts = DirectConversationStrangersTest.TIMEOUTS;
    chat = new ChatService(entities, new MessageHistory(entities, null, timeouts.ask(), system), null,
        RateLimits.from(harness.config.getConfig("parley.gateway.rate-limit"), harness.clock, entities, timeouts,
            system.scheduler()),
        ConversationSettings.from(harness.config), timeouts, new ContentSealing(harness.contentKeys),
        new LargeGroupInbox(entities, KnownLargeGroups.over(harness.groupMembers), timeouts.ask(), system), system,
        gate, GroupConsentSettings.DEFAULT, harness.clock);
  }

  @AfterEach
  void stop() {
    harness.shutdown();
  }

  private static ErrorCode refusal(CompletionStage<?> answer) throws Exception {
    Throwable failure = answer.handle((value, thrown) -> thrown).toCompletableFuture().get(5, TimeUnit.SECONDS);
    return failure == null ? null : ApiError.from(failure).code;
  }

  @Test
  void deletionsAndLeavesOfAConversationTheNodeKnowsCountAsReads() throws Exception {
    gate.exists(GROUP).toCompletableFuture().get(5, TimeUnit.SECONDS); // the node now knows it exists
    assertEquals(ErrorCode.RATE_LIMITED, refusal(chat.leave("mallory", GROUP)), "conversation.leave");
    assertEquals(ErrorCode.RATE_LIMITED, refusal(chat.delete("mallory", GROUP, 1)), "msg.delete");
    // Not in her inbox: asked of the group as a large group's read mark would be.
    assertEquals(ErrorCode.RATE_LIMITED, refusal(chat.markRead("mallory", "phone", GROUP, 1)), "msg.read");
    conversation.expectNoMessage(Duration.ofMillis(100));
  }
}
