package io.parley.conversation;

import static io.parley.testing.EntityHarness.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.EventBatches;
import io.parley.cluster.Outcome;
import io.parley.user.UserActor;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Receipts ({@link ReceiptsWaiting}): told to the senders once each, written with the next write or the tick. */
class ConversationReceiptTest extends ConversationFixture {
  @Test
  void receiptsGoToTheSendersOncePerMemberSeqAndStatusEvenAcrossRestarts() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    send(conversation, "alice", "c2");
    drain(harness.userProbe("alice"));
    conversation.tell(new ConversationActor.Delivered("bob", 2));
    var receipt = (UserActor.DeliverReceipt) harness.userProbe("alice").receiveMessage();
    assertEquals(new UserActor.DeliverReceipt("d:alice:bob", 2, "bob", ReceiptStatus.DELIVERED), receipt);
    conversation.tell(new ConversationActor.Delivered("bob", 2));
    conversation.tell(new ConversationActor.Delivered("bob", 1));
    conversation.tell(new ConversationActor.Read("bob", 2));
    var read = (UserActor.DeliverReceipt) harness.userProbe("alice").receiveMessage();
    assertEquals(ReceiptStatus.READ, read.status());

    stopAndAwait(conversation);
    var restarted = spawn("d:alice:bob");
    restarted.tell(new ConversationActor.Delivered("bob", 2));
    restarted.tell(new ConversationActor.Read("bob", 2));
    // Alice's UserActor never confirmed its hand-off, so it may be sent the messages again, but
    // no receipt is repeated.
    assertTrue(received(harness.userProbe("alice"), Duration.ofMillis(500)).stream()
        .noneMatch(m -> m instanceof UserActor.DeliverReceipt));
  }

  @Test
  void aReceiptForOnesOwnMessagesWaitsForTheNextWriteOrTheTick() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    String pid = ConversationActor.persistenceId("d:alice:bob").id();
    // Its start is written to the member index, then recorded as settled: a write of its own.
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertTrue(journal.persistedInStorage(pid).stream().flatMap(e -> EventBatches.unbatched(e).stream())
          .anyMatch(ConversationActor.MembershipSettled.class::isInstance));
      return null;
    });
    int writes = journal.persistedInStorage(pid).size();
    // Alice's devices acking her own message tell nobody anything: no write of its own.
    conversation.tell(new ConversationActor.Delivered("alice", 1));
    awaitProcessed(conversation);
    assertTrue(received(harness.userProbe("alice"), Duration.ofMillis(300)).stream()
        .noneMatch(m -> m instanceof UserActor.DeliverReceipt));
    assertEquals(writes, journal.persistedInStorage(pid).size());
    // It rides along with the next write...
    send(conversation, "bob", "c2");
    assertEquals(writes + 1, journal.persistedInStorage(pid).size());
    assertTrue(EventBatches.unbatched(journal.persistedInStorage(pid).get(writes)).stream()
        .anyMatch(e -> e instanceof ConversationActor.ReceiptsRecorded r
            && r.receipts().contains(new ConversationActor.Receipt("alice", ReceiptStatus.DELIVERED, 1))));
    // ...or is stored by the tick when none comes.
    conversation.tell(new ConversationActor.Read("alice", 1));
    awaitProcessed(conversation);
    assertEquals(writes + 1, journal.persistedInStorage(pid).size());
    harness.clock.advance(Duration.ofMillis(150));
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(writes + 2, journal.persistedInStorage(pid).size());
      return null;
    });
    // A receipt someone else is told of is written at once, and then told.
    drain(harness.userProbe("alice"));
    conversation.tell(new ConversationActor.Delivered("bob", 1));
    var receipt = (UserActor.DeliverReceipt) harness.userProbe("alice").receiveMessage(Duration.ofSeconds(5));
    assertEquals(new UserActor.DeliverReceipt("d:alice:bob", 1, "bob", ReceiptStatus.DELIVERED), receipt);
    assertEquals(writes + 3, journal.persistedInStorage(pid).size());
  }

  /**
   * A user's inbox keeps their 1,000 newest conversations; a read in an older one comes to the
   * conversation itself (ChatService asks it when the user entity has no entry). A member was
   * answered not_member there, and its senders got no read receipt.
   */
  @Test
  void aMembersReadThatNoInboxEntryHeldStillReachesTheSenders() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    send(conversation, "alice", "c2");
    drain(harness.userProbe("alice"));
    Outcome<Done> read = ask(conversation, replyTo -> new ConversationActor.MarkRead("bob", 5, replyTo));
    assertTrue(read.isOk(), "bob is a member: " + read);
    var receipt = (UserActor.DeliverReceipt) harness.userProbe("alice").receiveMessage(Duration.ofSeconds(5));
    assertEquals(new UserActor.DeliverReceipt("d:alice:bob", 2, "bob", ReceiptStatus.READ), receipt);

    Outcome<Done> stranger = ask(conversation, replyTo -> new ConversationActor.MarkRead("mallory", 1, replyTo));
    assertEquals(Outcome.Reason.NOT_MEMBER, stranger.reason());
  }

  /**
   * PROTOCOL.md: when a member's device acks a message, the sender's devices get a delivered
   * receipt; a device may read before it acks, and the delivered receipt still goes out (a client
   * shows the higher of the two).
   */
  @Test
  void aDeliveredReceiptGoesOutForAnAckAfterARead() {
    var direct = spawn("d:alice:bob");
    send(direct, "alice", "c1");
    send(direct, "alice", "c2");
    drain(harness.userProbe("alice"));
    direct.tell(new ConversationActor.Read("bob", 2));
    assertEquals(new UserActor.DeliverReceipt("d:alice:bob", 2, "bob", ReceiptStatus.READ),
        next("alice", UserActor.DeliverReceipt.class));
    direct.tell(new ConversationActor.Delivered("bob", 2));
    assertEquals(new UserActor.DeliverReceipt("d:alice:bob", 2, "bob", ReceiptStatus.DELIVERED),
        next("alice", UserActor.DeliverReceipt.class));
  }
}
