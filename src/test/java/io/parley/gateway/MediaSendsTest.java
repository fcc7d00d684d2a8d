package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.ConversationSettings;
import io.parley.conversation.MessageHistory;
import io.parley.gateway.relay.KnownLargeGroups;
import io.parley.gateway.relay.LargeGroupInbox;
import io.parley.limits.RateLimits;
import io.parley.limits.RequestTimeouts;
import io.parley.privacy.ContentSealing;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Media messages through the gateway's send path (grant-then-send), over a real MediaService and
 * a stand-in conversation that stores each client_msg_id once and answers a repeat as the
 * conversation does: with the first message's ack.
 */
class MediaSendsTest extends MediaGatewayFixture {
  static final RequestTimeouts TIMEOUTS = new RequestTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30));
  static final String CONVERSATION = "d:alice:bob";
  static final ConversationInfo DIRECT = new ConversationInfo(CONVERSATION, null, List.of("alice", "bob"), 2, null);

  ChatService chat;
  final AtomicBoolean running = new AtomicBoolean(true);
  final Map<String, ConversationActor.SendAck> stored = new ConcurrentHashMap<>();
  Thread conversation;

  @BeforeEach
  void startChat() {
    var system = harness.testKit.system();
    chat = new ChatService(harness, new MessageHistory(harness, null, TIMEOUTS.ask(), system), media,
        RateLimits.from(harness.config.getConfig("parley.gateway.rate-limit"), harness.clock, harness, TIMEOUTS,
            system.scheduler()),
        ConversationSettings.from(harness.config), TIMEOUTS, new ContentSealing(harness.contentKeys),
        new LargeGroupInbox(harness, KnownLargeGroups.over(harness.groupMembers), TIMEOUTS.ask(), system), system);
    TestProbe<ConversationActor.Command> probe = harness.conversationProbe(CONVERSATION);
    TestProbe<UserActor.Command> alice = harness.userProbe("alice");
    conversation = new Thread(() -> {
      while (running.get()) {
        answer(probe);
        answer(alice);
      }
    });
    conversation.start();
  }

  @AfterEach
  void stopChat() throws Exception {
    running.set(false);
    conversation.join();
  }

  private void answer(TestProbe<?> probe) {
    try {
      Object asked = probe.receiveMessage(Duration.ofMillis(20));
      if (asked instanceof ConversationActor.GetInfo info) {
        info.replyTo().tell(DIRECT.members().contains(info.userId()) ? Outcome.ok(DIRECT)
            : Outcome.rejected(Outcome.Reason.NOT_MEMBER, info.userId() + " is not a member"));
      } else if (asked instanceof ConversationActor.Send send) {
        ConversationActor.SendAck first = stored.get(send.clientMsgId());
        if (send.clientMsgId().startsWith("refused")) {
          send.replyTo().tell(Outcome.rejected(Outcome.Reason.NOT_MEMBER, "alice left " + CONVERSATION));
        } else if (first != null) {
          send.replyTo().tell(Outcome.ok(first.asRepeat()));
        } else {
          long seq = stored.size() + 1;
          ConversationActor.SendAck ack = new ConversationActor.SendAck(send.clientMsgId(), "m-" + seq, seq, seq, true);
          stored.put(send.clientMsgId(), ack);
          send.replyTo().tell(Outcome.ok(ack));
        }
      } else if (asked instanceof UserActor.LeaseAllowance lease) {
        lease.replyTo().tell(new UserActor.AllowanceLease(lease.wanted(), 0));
      }
    } catch (AssertionError nothingAsked) {
      // nothing this round
    }
  }

  private ConversationActor.SendAck send(String clientMsgId, String mediaId) throws Exception {
    return chat.send("alice", new ChatService.SendRequest(CONVERSATION, clientMsgId, "/v1/media/" + mediaId, "media",
            List.of()))
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Refused by the conversation after the grant (the sender left meanwhile): nothing was stored, so nothing is shared. */
  @Test
  void aSendTheConversationRefusesSharesNothing() throws Exception {
    String picture = upload("alice");
    var refused = assertThrows(ExecutionException.class, () -> send("refused1", picture));
    assertEquals(ErrorCode.NOT_MEMBER, ApiError.from(refused.getCause()).code);
    assertEquals(404, fetch("bob", picture).status().intValue(), "no message carries it: bob may not see it");
  }

  @Test
  void aRetryUnderTheSameClientMsgIdWithOtherMediaGrantsNothing() throws Exception {
    String picture = upload("alice");
    String other = upload("alice");
    ConversationActor.SendAck original = send("pic1", picture);
    assertEquals(200, fetch("bob", picture).status().intValue(), "bob may see what was sent");

    ConversationActor.SendAck retry = send("pic1", other);

    assertEquals(original.messageId(), retry.messageId(), "answered as the original message");
    assertEquals(404, fetch("bob", other).status().intValue(),
        "the retry's media is in no stored message: bob may not see it");
  }
}
