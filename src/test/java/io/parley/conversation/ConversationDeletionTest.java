package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.EventBatches;
import io.parley.testing.EntityHarness;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/** Deleting a message and erasing a member ({@link MessageDeletion}, {@link MemberErasure}): tombstones. */
class ConversationDeletionTest extends ConversationFixture {
  private Outcome<Done> delete(ActorRef<ConversationActor.Command> conversation, String userId, long seq) {
    TestProbe<Outcome<Done>> reply = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Delete(userId, seq, reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(5));
  }

  /** Messages {@code from..to} as readers get them: located by the conversation, read from the journal. */
  private List<ChatMessage> read(ActorRef<ConversationActor.Command> conversation, long from, long to) {
    TestProbe<Outcome<ConversationActor.Location>> located = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.LocateMessages("alice", to + 1, (int) (to - from + 1), located.ref()));
    return new MessageReader(harness.journal(), harness.coldTier())
        .read("d:alice:bob", located.receiveMessage(Duration.ofSeconds(5)).value()).toCompletableFuture().join();
  }

  @Test
  void aSenderDeletesTheirMessageForEveryoneAndItReadsAsATombstone() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    send(conversation, "bob", "c2");
    assertEquals(Outcome.Reason.BAD_REQUEST, delete(conversation, "bob", 1).reason(), "only alice may delete hers");
    assertEquals(Outcome.Reason.NOT_FOUND, delete(conversation, "alice", 3).reason());
    assertEquals(Outcome.Reason.NOT_MEMBER, delete(conversation, "carol", 1).reason());
    assertTrue(delete(conversation, "alice", 1).isOk());
    for (String member : List.of("alice", "bob")) {
      harness.userProbe(member).fishForMessage(Duration.ofSeconds(5), told ->
          told.equals(new UserActor.MessageDeleted("d:alice:bob", 1, "alice"))
              ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    }
    List<ChatMessage> read = read(conversation, 1, 2);
    ChatMessage tombstone = read.get(0);
    assertEquals(List.of(1L, "alice", "", ChatMessage.DELETED),
        List.of(tombstone.seq(), tombstone.senderId(), tombstone.content(), tombstone.contentType()));
    assertEquals("content of c2", read.get(1).content(), "the other message is untouched");

    assertTrue(delete(conversation, "alice", 1).isOk(), "deleting again answers the same");
    long deletions = journal.persistedInStorage(ConversationActor.persistenceId("d:alice:bob").id()).stream()
        .flatMap(e -> EventBatches.unbatched(e).stream())
        .filter(ConversationActor.MessageDeleted.class::isInstance)
        .count();
    assertEquals(1, deletions);
    stopAndAwait(conversation);
    assertEquals(ChatMessage.DELETED, read(spawn("d:alice:bob"), 1, 1).get(0).contentType(), "after recovery too");
  }

  private List<ChatMessage> readAs(
      String reader, String conversationId, ActorRef<ConversationActor.Command> conversation, long from, long to) {
    TestProbe<Outcome<ConversationActor.Location>> located = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.LocateMessages(reader, to + 1, (int) (to - from + 1), located.ref()));
    return new MessageReader(harness.journal(), harness.coldTier())
        .read(conversationId, located.receiveMessage(Duration.ofSeconds(5)).value()).toCompletableFuture().join();
  }

  @Test
  void anErasedMemberLeavesAndEveryMessageTheySentReadsAsATombstone() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    TestProbe<Outcome<ConversationInfo>> created = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Create("alice", "Climbing", List.of("bob", "carol"), created.ref()));
    assertTrue(created.receiveMessage().isOk());
    send(conversation, "alice", "a1");
    send(conversation, "bob", "b1");
    send(conversation, "alice", "a2");

    assertTrue(eraseMember(conversation, "alice").isOk());
    for (String member : List.of("bob", "carol")) {
      assertEquals(new UserActor.SenderErased(group, "alice", 3, List.of(1L, 1L, 3L, 3L)),
          next(member, UserActor.SenderErased.class), "her messages that " + member + " has not read");
    }
    List<ChatMessage> read = readAs("bob", group, conversation, 1, 3);
    assertEquals(List.of(1L, 2L, 3L), read.stream().map(ChatMessage::seq).toList(), "seq stays gapless");
    assertEquals(List.of(ChatMessage.DELETED, "text", ChatMessage.DELETED),
        read.stream().map(ChatMessage::contentType).toList());
    assertEquals(List.of("", "content of b1", ""), read.stream().map(ChatMessage::content).toList());
    TestProbe<Outcome<ConversationInfo>> info = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.GetInfo(null, info.ref()));
    assertEquals(List.of("bob", "carol"), info.receiveMessage().value().members());
    assertEquals(Outcome.Reason.NOT_MEMBER, send(conversation, "alice", "a3").reason(), "she left");

    // Erasing again records nothing; a later message by another member is untouched.
    assertTrue(eraseMember(conversation, "alice").isOk());
    send(conversation, "bob", "b2");
    assertEquals("content of b2", readAs("bob", group, conversation, 4, 4).get(0).content());
    long erasures = journal.persistedInStorage(ConversationActor.persistenceId(group).id()).stream()
        .flatMap(e -> EventBatches.unbatched(e).stream())
        .filter(ConversationActor.MemberErased.class::isInstance)
        .count();
    assertEquals(1, erasures);
    stopAndAwait(conversation);
    assertEquals(ChatMessage.DELETED, readAs("carol", group, spawn(group), 1, 1).get(0).contentType(), "after recovery too");
  }

  @Test
  void anErasedMemberOfADirectConversationStaysAMemberWithTheirMessagesTombstones() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "a1");
    send(conversation, "bob", "b1");
    assertTrue(eraseMember(conversation, "alice").isOk());
    assertEquals(new UserActor.SenderErased("d:alice:bob", "alice", 2, List.of(1L, 1L)),
        next("bob", UserActor.SenderErased.class));
    List<ChatMessage> read = readAs("bob", "d:alice:bob", conversation, 1, 2);
    assertEquals(List.of(ChatMessage.DELETED, "text"), read.stream().map(ChatMessage::contentType).toList());
    // The same id may talk again: what it sends from now on is not erased.
    assertEquals(3, send(conversation, "alice", "a2").value().seq());
    assertEquals("content of a2", readAs("bob", "d:alice:bob", conversation, 3, 3).get(0).content());
    // ...and reads only what came after the erasure, not the old account's history with bob.
    assertEquals(List.of(3L), readAs("alice", "d:alice:bob", conversation, 1, 3).stream().map(ChatMessage::seq).toList());
    TestProbe<Outcome<ConversationActor.Location>> located = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.LocateMessages("alice", 3, 10, located.ref()));
    ConversationActor.Location before = located.receiveMessage(Duration.ofSeconds(5)).value();
    assertTrue(before.fromSeq() > before.toSeq(), "nothing before seq 3 is alice's now: " + before);
    assertFalse(before.hasEarlier());
    conversation.tell(new ConversationActor.LocateMessages("bob", 3, 10, located.ref()));
    assertEquals(1, located.receiveMessage(Duration.ofSeconds(5)).value().fromSeq(), "bob still reads it all");
  }

  /** An erased account's messages are not the returning id's: it may not delete them, nor make the members be told. */
  @Test
  void anErasedIdThatComesBackCannotDeleteTheErasedAccountsMessages() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "a1");
    assertTrue(eraseMember(conversation, "alice").isOk());
    assertEquals(2, send(conversation, "alice", "a2").value().seq());
    Outcome<Done> old = delete(conversation, "alice", 1);
    assertEquals(Outcome.Reason.BAD_REQUEST, old.reason(), "seq 1 is the erased account's: " + old);
    assertTrue(delete(conversation, "alice", 2).isOk(), "her own since then she may");
  }

  /**
   * The erased account's messages are not the returning id's: a member's receipts of only those
   * told the id come back how far its predecessor's messages were read.
   */
  @Test
  void anErasedIdThatComesBackGetsNoReceiptsOfTheErasedAccountsMessages() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "a1");
    send(conversation, "alice", "a2");
    assertTrue(eraseMember(conversation, "alice").isOk());
    EntityHarness.received(harness.userProbe("alice"), Duration.ofMillis(200));
    conversation.tell(new ConversationActor.Read("bob", 2));
    awaitProcessed(conversation);
    assertTrue(EntityHarness.received(harness.userProbe("alice"), Duration.ofMillis(300)).stream()
        .noneMatch(told -> told instanceof UserActor.DeliverReceipt), "seqs 1 and 2 are the erased account's");
    long again = send(conversation, "alice", "a3").value().seq();
    conversation.tell(new ConversationActor.Read("bob", again));
    assertEquals(new UserActor.DeliverReceipt("d:alice:bob", again, "bob", ReceiptStatus.READ),
        next("alice", UserActor.DeliverReceipt.class), "her own since then are hers");
  }

  /**
   * The members are told which of an erased sender's messages became tombstones now: not those
   * deleted for everyone before, nor an earlier erasure's (the id come back), which they were told
   * of then. They were told again, and an inbox that keeps only a count of old unread messages
   * took those off it twice.
   */
  @Test
  void anErasureTellsTheMembersOnlyTheMessagesItMakesTombstones() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    TestProbe<Outcome<ConversationInfo>> created = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Create("alice", "Climbing", List.of("bob"), created.ref()));
    assertTrue(created.receiveMessage().isOk());
    send(conversation, "alice", "a1");
    send(conversation, "alice", "a2");
    send(conversation, "alice", "a3");
    assertTrue(delete(conversation, "alice", 2).isOk());
    assertTrue(eraseMember(conversation, "alice").isOk());
    assertEquals(new UserActor.SenderErased(group, "alice", 3, List.of(1L, 1L, 3L, 3L)),
        next("bob", UserActor.SenderErased.class), "seq 2 was a tombstone already");

    var direct = spawn("d:alice:bob");
    send(direct, "alice", "a1");
    assertTrue(eraseMember(direct, "alice").isOk());
    assertEquals(new UserActor.SenderErased("d:alice:bob", "alice", 1, List.of(1L, 1L)),
        next("bob", UserActor.SenderErased.class));
    send(direct, "alice", "a2");
    assertTrue(eraseMember(direct, "alice").isOk());
    assertEquals(new UserActor.SenderErased("d:alice:bob", "alice", 2, List.of(2L, 2L)),
        next("bob", UserActor.SenderErased.class), "seq 1 was the first erasure's");
  }
}
