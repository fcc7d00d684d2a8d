package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationIds;
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
import io.parley.user.GroupConsentSettings;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A direct conversation's id names its two members: anyone else is refused {@code not_member} by
 * the gateway, whether the conversation exists or not, and its entity is never asked (a client
 * naming stored direct conversations of others would otherwise wake each).
 */
class DirectConversationStrangersTest {
  static final RequestTimeouts TIMEOUTS = new RequestTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
  static final String DIRECT = ConversationIds.direct("alice", "bob");

  EntityHarness harness;
  TestProbe<ConversationActor.Command> conversation;
  /** The store's look-ups: every conversation exists. */
  final List<String> lookedUp = new CopyOnWriteArrayList<>();
  ChatService chat;

  @BeforeEach
  void start() {
    harness = new EntityHarness("");
    var system = harness.testKit.system();
    conversation = harness.testKit.createTestProbe();
    // Mallory's entity: leases whatever her limits ask, and keeps no read mark of the conversation.
    ActorRef<UserActor.Command> mallory = harness.testKit.spawn(Behaviors.<UserActor.Command>receiveMessage(command -> {
      if (command instanceof UserActor.LeaseAllowance lease) {
        lease.replyTo().tell(new UserActor.AllowanceLease(lease.wanted(), 0));
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
    ConversationGate gate = new ConversationGate(id -> {
      lookedUp.add(id);
      return CompletableFuture.completedFuture(true);
    }, 100);
    chat = new ChatService(entities, new MessageHistory(entities, null, TIMEOUTS.ask(), system), null,
        RateLimits.from(harness.config.getConfig("parley.gateway.rate-limit"), harness.clock, entities, TIMEOUTS,
            system.scheduler()),
        ConversationSettings.from(harness.config), TIMEOUTS, new ContentSealing(harness.contentKeys),
        new LargeGroupInbox(entities, KnownLargeGroups.over(harness.groupMembers), TIMEOUTS.ask(), system), system,
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
  void aUserTheIdDoesNotNameIsRefusedWithoutALookUpOrTheConversation() throws Exception {
    Map<String, Supplier<CompletionStage<?>>> requests = new LinkedHashMap<>();
    requests.put("typing", () -> chat.presenceAndTyping().typing("mallory", DIRECT));
    requests.put("history.get", () -> chat.history("mallory", DIRECT, null, null));
    requests.put("conversation.members", () -> chat.groups().members("mallory", DIRECT, null, null));
    requests.put("msg.send", () -> chat.send("mallory", new ChatService.SendRequest(DIRECT, "c1", "hi", null, null)));
    requests.put("msg.read", () -> chat.markRead("mallory", "phone", DIRECT, 1));
    requests.put("msg.delete", () -> chat.delete("mallory", DIRECT, 1));
    requests.put("conversation.leave", () -> chat.leave("mallory", DIRECT));
    for (var request : requests.entrySet()) {
      assertEquals(ErrorCode.NOT_MEMBER, refusal(request.getValue().get()), request.getKey());
      assertEquals(List.of(), lookedUp, request.getKey() + " looked the conversation up");
    }
    conversation.expectNoMessage(Duration.ofMillis(100));
  }
}
