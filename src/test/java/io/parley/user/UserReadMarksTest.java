package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/** Read marks ({@link InboxCommands#markRead}): how far a read holds when the inbox is behind the conversation. */
class UserReadMarksTest extends UserFixture {
  /**
   * A device may read a message in history before the conversation's hand-off of it reaches the
   * user's entity. The read holds for it: the mark was cut to the inbox's last seq, so the message
   * came in unread afterwards and its sender never got the read receipt.
   */
  @Test
  void aReadOfMessagesNotYetHandedOffHoldsForThemWhenTheyCome() {
    var bob = spawn();
    connect(bob, "phone", 0);
    var laptop = connect(bob, "laptop", 0);
    bob.tell(new UserActor.Deliver(INFO, 0, List.of(message(1, "alice"), message(2, "alice"))));
    assertEquals(2, handedOff());
    laptop.receiveSeveralMessages(3); // two msg.new and an inbox update

    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    bob.tell(new UserActor.MarkRead("phone", CONVERSATION, 3, done.ref()));
    var conversation = harness.conversationProbe(CONVERSATION);
    var asked = conversation.expectMessageClass(ConversationActor.GetInfo.class);
    asked.replyTo().tell(Outcome.ok(new ConversationInfo(CONVERSATION, null, List.of("alice", "bob"), 3)));
    assertTrue(done.receiveMessage().isOk());
    assertEquals(new ConversationActor.Read("bob", 3), conversation.receiveMessage());
    assertEquals(0, ((DeviceEvent.InboxUpdate) laptop.receiveMessage()).item().unreadCount());

    bob.tell(new UserActor.Deliver(null, 2, List.of(message(3, "alice")), CONVERSATION, INFO.fingerprint()));
    assertEquals(3, handedOff());
    InboxItem item = observe(restart(bob)).inbox().get(0);
    assertEquals(3, item.lastSeq());
    assertEquals(0, item.unreadCount(), "seq 3 was read before it came");
  }

  /** A read beyond what the conversation holds reads through its last message only: later ones come unread. */
  @Test
  void aReadBeyondTheConversationsLastSeqLeavesLaterMessagesUnread() {
    var bob = spawn();
    bob.tell(new UserActor.Deliver(INFO, 0, List.of(message(1, "alice"))));
    assertEquals(1, handedOff());

    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    bob.tell(new UserActor.MarkRead("phone", CONVERSATION, 1_000, done.ref()));
    var conversation = harness.conversationProbe(CONVERSATION);
    var asked = conversation.expectMessageClass(ConversationActor.GetInfo.class);
    asked.replyTo().tell(Outcome.ok(new ConversationInfo(CONVERSATION, null, List.of("alice", "bob"), 2)));
    assertTrue(done.receiveMessage().isOk());
    assertEquals(new ConversationActor.Read("bob", 2), conversation.receiveMessage());

    bob.tell(new UserActor.Deliver(null, 1, List.of(message(2, "alice"), message(3, "alice"), message(4, "alice")),
        CONVERSATION, INFO.fingerprint()));
    assertEquals(4, handedOff());
    assertEquals(2, observe(bob).inbox().get(0).unreadCount(), "3 and 4 came after the read");
  }

  /** A conversation that cannot say how far it goes (it refuses, or a node of before): the read stops at the inbox's last seq. */
  @Test
  void aReadBeyondTheInboxStopsAtItsLastSeqWhenTheConversationCannotSay() {
    var bob = spawn();
    bob.tell(new UserActor.Deliver(INFO, 0, List.of(message(1, "alice"))));
    assertEquals(1, handedOff());

    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    bob.tell(new UserActor.MarkRead("phone", CONVERSATION, 5, done.ref()));
    var conversation = harness.conversationProbe(CONVERSATION);
    var asked = conversation.expectMessageClass(ConversationActor.GetInfo.class);
    asked.replyTo().tell(Outcome.rejected(Outcome.Reason.UNAVAILABLE, "busy"));
    assertTrue(done.receiveMessage().isOk());
    assertEquals(new ConversationActor.Read("bob", 1), conversation.receiveMessage());

    bob.tell(new UserActor.Deliver(null, 1, List.of(message(2, "alice")), CONVERSATION, INFO.fingerprint()));
    assertEquals(2, handedOff());
    assertEquals(1, observe(bob).inbox().get(0).unreadCount());
  }
}
