package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.EventBatches;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.MessageIds;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.Test;

/** The entity's writes ({@link UserWrites}): commands batched into bounded journal items, acks stored lazily or on a sync. */
class UserWritesTest extends UserFixture {
  @Test
  void commandsArrivingTogetherAreStoredAsOneJournalItemPerWrite() {
    PersistenceTestKit journal = PersistenceTestKit.create(harness.testKit.system());
    var bob = spawn();
    connect(bob, "phone", 0);
    int conversations = 12;
    for (int i = 0; i < conversations; i++) {
      String id = "g.c" + i;
      var info = new ConversationInfo(id, "group " + i, List.of("alice", "bob"), 0);
      long ts = harness.clock.millis();
      bob.tell(new UserActor.Deliver(info, 0, List.of(
          new ChatMessage(id, 1, MessageIds.of(id, 1, ts), "alice", "m" + i, "hi", "text", ts))));
    }
    for (int i = 0; i < conversations; i++) {
      harness.conversationProbe("g.c" + i).expectMessageClass(ConversationActor.HandedOff.class);
    }
    List<Object> stored = journal.persistedInStorage(UserActor.persistenceId("bob").id());
    long writesWithMessages = stored.stream()
        .filter(e -> EventBatches.unbatched(e).stream().anyMatch(UserActor.MessagesStored.class::isInstance))
        .count();
    assertTrue(writesWithMessages < conversations, "hand-offs of " + conversations + " conversations in "
        + writesWithMessages + " journal items");
    assertTrue(stored.stream().anyMatch(UserActor.Batch.class::isInstance), "a write of several events is one item");
    // The batched events rebuild the same state.
    bob = restart(bob);
    assertEquals(LongStream.rangeClosed(1, conversations).boxed().toList(), pendingCursors(bob, 0));
  }

  @Test
  void aWriteStaysWithinItsByteBoundAndTheRestGoesIntoTheNext() {
    PersistenceTestKit journal = PersistenceTestKit.create(harness.testKit.system());
    var bob = spawn();
    String sender = "s".repeat(200);
    int conversations = 6;
    int perConversation = 200;
    for (int i = 0; i < conversations; i++) {
      String id = "g.big" + i;
      var info = new ConversationInfo(id, "big " + i, List.of(sender, "bob"), 0);
      long ts = harness.clock.millis();
      bob.tell(new UserActor.Deliver(info, 0, LongStream.rangeClosed(1, perConversation)
          .mapToObj(seq -> new ChatMessage(id, seq, MessageIds.of(id, seq, ts), sender, "m" + seq, "x", "text", ts))
          .toList()));
    }
    for (int i = 0; i < conversations; i++) {
      assertEquals(perConversation, ((ConversationActor.HandedOff) harness.conversationProbe("g.big" + i)
          .receiveMessage(Duration.ofSeconds(5))).seq());
    }
    // Each hand-off is ~150 KB of references by the estimate: at most two fit one 256 KiB write.
    for (Object stored : journal.persistedInStorage(UserActor.persistenceId("bob").id())) {
      List<Object> events = EventBatches.unbatched(stored);
      long bytes = events.stream().mapToLong(e -> StagedWrite.approximateBytes((UserActor.Event) e)).sum();
      assertTrue(events.size() <= 2 && bytes < 400_000, events.size() + " events, ~" + bytes + " bytes in one write");
    }
    assertEquals(conversations * perConversation, pendingCursors(bob, 0, conversations * perConversation).size());
  }

  @Test
  void anAckIsStoredLazilyWithTheNextWriteOrASync() {
    var bob = spawn();
    connect(bob, "phone", 0);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 2, "alice")));
    assertEquals(2, handedOff());
    TestProbe<Outcome<Done>> accepted = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Ack("phone", 2, accepted.ref()));
    assertTrue(accepted.receiveMessage().isOk());
    // The receipt goes out at once (the conversation records it); the ack waits for a write.
    var delivered = (ConversationActor.Delivered) harness.conversationProbe(CONVERSATION).receiveMessage();
    assertEquals(2, delivered.seq());
    assertEquals(List.of(1L, 2L), pendingCursors(bob, 0), "answered, but not stored yet");
    // The next write carries it: here, a hand-off.
    bob.tell(new UserActor.Deliver(INFO, 0, messages(3, 3, "alice")));
    assertEquals(3, handedOff());
    assertEquals(List.of(3L), pendingCursors(bob, 0));

    bob.tell(new UserActor.Ack("phone", 3, accepted.ref()));
    assertTrue(accepted.receiveMessage().isOk());
    harness.conversationProbe(CONVERSATION).expectMessageClass(ConversationActor.Delivered.class);
    sync(bob);
    bob = restart(bob);
    assertEquals(List.of(), pendingCursors(bob, 0), "a synced ack survives a restart");
  }

  /** An ack answered, and so reported to the conversation, but not stored yet. */
  private void acceptAck(ActorRef<UserActor.Command> user, String deviceId, long cursor) {
    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    user.tell(new UserActor.Ack(deviceId, cursor, done.ref()));
    assertTrue(done.receiveMessage().isOk());
    harness.conversationProbe(CONVERSATION).expectMessageClass(ConversationActor.Delivered.class);
  }

  /**
   * The frame after an ack is often a send: the copy of that message for the sender's own stream
   * is stored with the ack, in one write, rather than the ack alone first.
   */
  @Test
  void aSyncNamingTheSendersOwnCopyIsAnsweredByTheWriteThatStoresItWithTheAcks() {
    PersistenceTestKit journal = PersistenceTestKit.create(harness.testKit.system());
    var bob = spawn();
    connect(bob, "phone", 0);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 2, "alice")));
    assertEquals(2, handedOff());
    acceptAck(bob, "phone", 2);
    int writes = journal.persistedInStorage(UserActor.persistenceId("bob").id()).size();

    TestProbe<Outcome<Done>> synced = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Sync(CONVERSATION, 3, synced.ref()));
    synced.expectNoMessage(Duration.ofMillis(200));
    assertEquals(writes, journal.persistedInStorage(UserActor.persistenceId("bob").id()).size(), "no write of the ack alone");

    bob.tell(new UserActor.Deliver(INFO, 0, messages(3, 3, "bob")));
    synced.expectMessage(Outcome.ok(Done.INSTANCE));
    assertEquals(3, handedOff());
    List<Object> stored = journal.persistedInStorage(UserActor.persistenceId("bob").id());
    assertEquals(writes + 1, stored.size());
    List<Object> last = EventBatches.unbatched(stored.get(stored.size() - 1));
    assertTrue(last.stream().anyMatch(UserActor.DeviceAcked.class::isInstance)
        && last.stream().anyMatch(UserActor.MessagesStored.class::isInstance), "ack and copy in one write: " + last);
    bob = restart(bob);
    assertEquals(List.of(3L), pendingCursors(bob, 0), "the synced ack survives a restart");
  }

  @Test
  void aSyncNamingACopyAlreadyStoredOrNeverComingStoresTheAcksItself() {
    var bob = spawn();
    connect(bob, "phone", 0);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 2, "alice")));
    assertEquals(2, handedOff());
    acceptAck(bob, "phone", 1);
    // seq 2 is stored already: no write that would carry the ack is on its way.
    TestProbe<Outcome<Done>> synced = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Sync(CONVERSATION, 2, synced.ref()));
    synced.expectMessage(Outcome.ok(Done.INSTANCE));
    bob = restart(bob);
    connect(bob, "phone", 1);

    acceptAck(bob, "phone", 2);
    bob.tell(new UserActor.Sync(CONVERSATION, 3, synced.ref()));
    synced.expectNoMessage(Duration.ofMillis(100));
    pass(settings.ackSyncWait());
    synced.expectMessage(Outcome.ok(Done.INSTANCE));
    bob = restart(bob);
    assertEquals(List.of(), pendingCursors(bob, 0), "stored once the copy did not come in time");
  }
}
