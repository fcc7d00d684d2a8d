package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.MessageIds;
import io.parley.push.PushToken;
import io.parley.testing.EntityHarness;
import io.parley.testing.RefusedWrites;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * A user entity's write the journal refuses (a store that cannot commit): the commands it carried
 * that answer with an outcome (a sync of acks among them) are told unavailable at once, and a
 * device's registration is told to retry, rather than left to the gateway's timeout; their retries
 * are stored once. What did happen all the same (a device went away) is still told to those who watch.
 */
class UserWriteFailureTest extends UserWriteFailureFixture {
  static final String CONVERSATION = "d:alice:bob";
  static final PushToken TOKEN = new PushToken("fcm", "token-1");
  static final ConversationInfo INFO = new ConversationInfo(CONVERSATION, null, List.of("alice", "bob"), 0);
  @Test
  void aRefusedWritesPushTokenAndReadMarkAreToldUnavailableAndTheirRetriesAreStoredOnce() {
    ActorRef<UserActor.Command> bob = spawnBob();
    bob.tell(new UserActor.Deliver(INFO, 0, List.of(message(1))));
    harness.conversationProbe(CONVERSATION).expectMessageClass(ConversationActor.HandedOff.class);

    refuseNextWrite();
    TestProbe<Outcome<Done>> replies = harness.testKit.createTestProbe();
    bob.tell(new UserActor.RegisterPushToken(TOKEN, replies.ref()));
    bob.tell(new UserActor.MarkRead("phone", CONVERSATION, 1, replies.ref()));
    RefusedWrites.awaitToldUnavailable(replies, 2);

    // The client's retries, as unavailable asks.
    bob.tell(new UserActor.RegisterPushToken(TOKEN, replies.ref()));
    assertTrue(replies.receiveMessage(Duration.ofSeconds(10)).isOk());
    bob.tell(new UserActor.MarkRead("phone", CONVERSATION, 1, replies.ref()));
    assertTrue(replies.receiveMessage(Duration.ofSeconds(10)).isOk());
    assertEquals(1, stored(UserActor.PushTokenAdded.class), "the token stored once");
    assertEquals(1, stored(UserActor.ConversationRead.class), "the read mark stored once");
  }

  /**
   * A frame's answer waits for the acks before it to be stored (PROTOCOL.md: acks are durable once a
   * later frame is answered): when that write is refused, the frame is told unavailable at once,
   * both when its sync staged a write of its own and when it waited for the write of a copy.
   */
  @Test
  void aSyncWhoseWriteIsRefusedIsToldUnavailableAndItsRetryStoresTheAck() {
    ActorRef<UserActor.Command> bob = spawnBob();
    bob.tell(new UserActor.Deliver(INFO, 0, List.of(message(1))));
    harness.conversationProbe(CONVERSATION).expectMessageClass(ConversationActor.HandedOff.class);
    TestProbe<Outcome<Done>> acks = harness.testKit.createTestProbe();
    TestProbe<Outcome<Done>> syncs = harness.testKit.createTestProbe();

    bob.tell(new UserActor.Ack("phone", 1, acks.ref()));
    assertTrue(acks.receiveMessage().isOk(), "accepted");
    refuseNextWrite();
    bob.tell(new UserActor.Sync(null, 0, syncs.ref()));
    RefusedWrites.awaitToldUnavailable(syncs, 1);

    bob.tell(new UserActor.Ack("phone", 1, acks.ref()));
    assertTrue(acks.receiveMessage(Duration.ofSeconds(10)).isOk(), "accepted by the restarted entity");
    // A sync naming a copy on its way waits for that copy's write, which is refused.
    bob.tell(new UserActor.Sync(CONVERSATION, 2, syncs.ref()));
    refuseNextWrite();
    bob.tell(new UserActor.Deliver(INFO, 0, List.of(message(2))));
    RefusedWrites.awaitToldUnavailable(syncs, 1);

    bob.tell(new UserActor.Ack("phone", 1, acks.ref()));
    assertTrue(acks.receiveMessage(Duration.ofSeconds(10)).isOk());
    bob.tell(new UserActor.Sync(null, 0, syncs.ref()));
    assertTrue(syncs.receiveMessage(Duration.ofSeconds(10)).isOk(), "the retry is stored");
    assertEquals(1, stored(UserActor.DeviceAcked.class), "the ack stored once");
  }

  /**
   * A device's registration whose write is refused: its connection is told at once, to register
   * again, rather than left to wait for its ask to time out; the retry stores the device once.
   */
  @Test
  void aRegistrationWhoseWriteIsRefusedTellsItsConnectionAndItsRetryIsStoredOnce() {
    ActorRef<UserActor.Command> bob = spawnBob();
    TestProbe<DeviceEvent> phone = harness.testKit.createTestProbe();
    TestProbe<UserActor.Connected> registrations = harness.testKit.createTestProbe();
    refuseNextWrite();
    bob.tell(new UserActor.Connect("phone", phone.ref(), registrations.ref()));
    DeviceEvent refused = phone.expectMessageClass(DeviceEvent.RegistrationRefused.class, Duration.ofSeconds(5));
    // The connection may be on another node.
    assertEquals(refused, harness.readStored(refused.getClass().getName(), harness.storedJson(refused)));

    bob.tell(new UserActor.Connect("phone", phone.ref(), registrations.ref()));
    assertEquals(bob, registrations.receiveMessage(Duration.ofSeconds(10)).user(), "registered with the restarted entity");
    assertEquals(1, stored(UserActor.DeviceConnected.class), "the device stored once");
  }

  /** A device's disconnection whose write is refused: the user's watchers still hear they went offline. */
  @Test
  void aDisconnectionWhoseWriteIsRefusedIsStillToldToPresenceWatchers() {
    ActorRef<UserActor.Command> bob = spawnBob();
    long ts = harness.clock.millis();
    bob.tell(new UserActor.Deliver(INFO, 0, List.of(
        new ChatMessage(CONVERSATION, 1, MessageIds.of(CONVERSATION, 1, ts), "bob", "b1", "hi", "text", ts))));
    harness.conversationProbe(CONVERSATION).expectMessageClass(ConversationActor.HandedOff.class);
    TestProbe<DeviceEvent> alice = harness.testKit.createTestProbe();
    bob.tell(new UserActor.SubscribePresence("alice", alice.ref()));
    assertFalse(((DeviceEvent.Presence) alice.receiveMessage()).online());
    TestProbe<DeviceEvent> phone = harness.testKit.createTestProbe();
    TestProbe<UserActor.Connected> registrations = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Connect("phone", phone.ref(), registrations.ref()));
    registrations.receiveMessage();
    assertTrue(((DeviceEvent.Presence) alice.receiveMessage()).online());

    refuseNextWrite();
    bob.tell(new UserActor.Disconnect("phone", phone.ref()));
    assertFalse(((DeviceEvent.Presence) alice.receiveMessage(Duration.ofSeconds(5))).online());
  }

  /**
   * A deletion notice whose write is refused is not confirmed, so its conversation tells it again
   * (see {@code conversation.DeletionNotices}); the repeat is stored, and confirmed, once.
   */
  @Test
  void aDeletionNoticeWhoseWriteIsRefusedIsNotConfirmedAndItsRepeatIsStoredOnce() {
    ActorRef<UserActor.Command> bob = spawnBob();
    var conversation = harness.conversationProbe(CONVERSATION);
    bob.tell(new UserActor.Deliver(INFO, 0, List.of(message(1))));
    conversation.expectMessageClass(ConversationActor.HandedOff.class);
    UserActor.MessageDeleted notice = new UserActor.MessageDeleted(CONVERSATION, 1, "alice");

    refuseNextWrite();
    bob.tell(notice);
    bob.tell(new UserActor.Sync(null, 0, harness.testKit.<Outcome<Done>>createTestProbe().ref())); // after the refusal
    assertFalse(EntityHarness.received(conversation, Duration.ofMillis(500)).stream()
        .anyMatch(ConversationActor.DeletionNoticed.class::isInstance), "confirmed though not stored");

    bob.tell(notice);
    assertEquals(new ConversationActor.DeletionNoticed("bob", 1), conversation.receiveMessage(Duration.ofSeconds(10)));
    bob.tell(notice);
    assertEquals(new ConversationActor.DeletionNoticed("bob", 1), conversation.receiveMessage(Duration.ofSeconds(10)),
        "a repeat of one stored is confirmed again");
    assertEquals(1, stored(UserActor.NoticeStored.class), "the notice stored once");
  }

  private ChatMessage message(long seq) {
    long ts = harness.clock.millis();
    return new ChatMessage(CONVERSATION, seq, MessageIds.of(CONVERSATION, seq, ts), "alice", "c" + seq, "text " + seq, "text", ts);
  }
}
