package io.parley.gateway;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationSettings;
import io.parley.conversation.MessageHistory;
import io.parley.gateway.relay.KnownLargeGroups;
import io.parley.gateway.relay.LargeGroupInbox;
import io.parley.limits.RateLimits;
import io.parley.limits.RequestTimeouts;
import io.parley.privacy.ContentSealing;
import io.parley.push.PushToken;
import io.parley.push.PushTokenOwner;
import io.parley.testing.EntityHarness;
import io.parley.user.AllowanceKind;
import io.parley.user.GroupConsentSettings;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A gateway whose every user is mallory, a stranger to what she names: her entity leases what her
 * limits ask (but of the kinds {@code emptyBucket} says, whose bucket is empty) and keeps no read
 * mark of any conversation; every conversation is one probe. What the tests of refused requests
 * share.
 */
final class MalloryChat {
  static final RequestTimeouts TIMEOUTS = new RequestTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));

  final EntityHarness harness = new EntityHarness("");
  final TestProbe<ConversationActor.Command> conversation = harness.testKit.createTestProbe();
  final ChatService chat;

  MalloryChat(ConversationGate gate, Predicate<AllowanceKind> emptyBucket) {
    var system = harness.testKit.system();
    ActorRef<UserActor.Command> mallory = harness.testKit.spawn(Behaviors.<UserActor.Command>receiveMessage(command -> {
      if (command instanceof UserActor.LeaseAllowance lease) {
        lease.replyTo().tell(emptyBucket.test(lease.kind())
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
    chat = new ChatService(entities, new MessageHistory(entities, null, TIMEOUTS.ask(), system), null,
        RateLimits.from(harness.config.getConfig("parley.gateway.rate-limit"), harness.clock, entities, TIMEOUTS,
            system.scheduler()),
        ConversationSettings.from(harness.config), TIMEOUTS, new ContentSealing(harness.contentKeys),
        new LargeGroupInbox(entities, KnownLargeGroups.over(harness.groupMembers), TIMEOUTS.ask(), system), system,
        gate, GroupConsentSettings.DEFAULT, harness.clock);
  }

  /** The error code an answer failed with; null if it succeeded. */
  static ErrorCode refusal(CompletionStage<?> answer) throws Exception {
    Throwable failure = answer.handle((value, thrown) -> thrown).toCompletableFuture().get(5, TimeUnit.SECONDS);
    return failure == null ? null : ApiError.from(failure).code;
  }
}
