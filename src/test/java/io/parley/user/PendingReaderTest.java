package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Outcome;
import io.parley.gateway.Entities;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.MessageHistory;
import io.parley.conversation.MessageReader;
import io.parley.conversation.ReceiptStatus;
import io.parley.testing.EntityHarness;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pending references read from a probe standing in for the UserActor, joined to messages a real
 * ConversationActor stored on the persistence testkit.
 */
class PendingReaderTest {
  static final String CONVERSATION = "d:alice:bob";
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  EntityHarness harness;
  Entities entities;

  @BeforeEach
  void setUp() {
    harness = new EntityHarness("");
    entities = harness.withRealConversation(CONVERSATION);
    for (int i = 1; i <= 3; i++) {
      TestProbe<Outcome<ConversationActor.SendAck>> sent = harness.testKit.createTestProbe();
      entities.conversation(CONVERSATION).tell(new ConversationActor.Send("alice", "c" + i, "message " + i, "text", sent.ref()));
      assertEquals(i, sent.receiveMessage(TIMEOUT).value().seq());
    }
  }

  @AfterEach
  void tearDown() {
    harness.shutdown();
  }

  private PendingReader reader(Duration askTimeout) {
    MessageHistory history = new MessageHistory(
        entities, new MessageReader(harness.journal(), harness.coldTier()), askTimeout, harness.testKit.system());
    return new PendingReader(entities, history, askTimeout, harness.testKit.system());
  }

  private static UserActor.PendingDelivery reference(long cursor, String conversationId, long seq) {
    return new UserActor.PendingDelivery(cursor, new PendingQueue.Item(conversationId, seq, "alice", 0));
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(2 * TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
  }

  @Test
  void aPageOfReferencesComesFromTheUserAndSaysWhereTheNextStarts() {
    CompletionStage<PendingReader.Page> asked = reader(TIMEOUT).page("carol", 6, 500);
    var getPending = harness.userProbe("carol").expectMessageClass(UserActor.GetPending.class, TIMEOUT);
    assertEquals(6, getPending.afterCursor());
    assertEquals(500, getPending.limit());
    getPending.replyTo().tell(new UserActor.PendingPage(
        List.of(reference(7, CONVERSATION, 1), reference(9, CONVERSATION, 3)), true));
    PendingReader.Page page = await(asked);
    assertFalse(page.isEmpty());
    assertTrue(page.more());
    assertEquals(9, page.lastCursor());
  }

  @Test
  void referencesAreJoinedToTheirMessagesInOrder() {
    var page = new PendingReader.Page(List.of(reference(7, CONVERSATION, 1), reference(9, CONVERSATION, 3)), false);
    PendingReader.Items read = await(reader(TIMEOUT).read(page));
    assertTrue(read.complete());
    assertEquals(List.of(7L, 9L), read.items().stream().map(DeviceEvent.StreamItem::cursor).toList());
    assertEquals(List.of("message 1", "message 3"),
        read.items().stream().map(item -> ((DeviceEvent.MsgNew) item).message()).map(ChatMessage::content).toList());
  }

  @Test
  void aPageReadsItsItemsNotTheSpanBetweenThem() {
    List<UserActor.PendingDelivery> references = List.of(
        reference(1, CONVERSATION, 1), reference(2, "g.other", 7), reference(3, CONVERSATION, 2),
        reference(4, CONVERSATION, 2 + PendingReader.MAX_GAP), reference(5, CONVERSATION, 1_000_000));
    assertEquals(List.of(
            new PendingReader.Range(CONVERSATION, 1, 2 + PendingReader.MAX_GAP),
            new PendingReader.Range(CONVERSATION, 1_000_000, 1_000_000),
            new PendingReader.Range("g.other", 7, 7)),
        PendingReader.ranges(references));
  }

  @Test
  void aPageWhoseMessagesCannotAllBeReadIsIncompleteFromTheFirstMissing() {
    var missing = new PendingReader.Page(
        List.of(reference(7, CONVERSATION, 1), reference(8, CONVERSATION, 9), reference(9, CONVERSATION, 3)), false);
    PendingReader.Items read = await(reader(TIMEOUT).read(missing));
    assertFalse(read.complete());
    assertEquals(List.of(7L), read.items().stream().map(DeviceEvent.StreamItem::cursor).toList());
    assertTrue(read.problem().contains("message 9 of " + CONVERSATION), read.problem());

    // A conversation that does not answer: nothing of the page is read.
    var silent = new PendingReader.Page(List.of(reference(10, "g.silent", 1)), false);
    PendingReader.Items unanswered = await(reader(Duration.ofMillis(300)).read(silent));
    assertFalse(unanswered.complete());
    assertEquals(List.of(), unanswered.items());
    assertTrue(unanswered.problem().startsWith("reading messages failed"), unanswered.problem());
  }

  @Test
  void receiptItemsNeedNoReadAndComeInCursorOrderWithMessages() {
    var page = new PendingReader.Page(List.of(
        reference(7, CONVERSATION, 1),
        new UserActor.PendingDelivery(8, new PendingQueue.Item("g.silent", 4, "carol", 0, ReceiptStatus.READ)),
        reference(9, CONVERSATION, 2)), false);
    PendingReader.Items read = await(reader(TIMEOUT).read(page));
    assertTrue(read.complete());
    assertEquals(List.of(7L, 8L, 9L), read.items().stream().map(DeviceEvent.StreamItem::cursor).toList());
    assertEquals(new DeviceEvent.Receipt("g.silent", 4, "carol", ReceiptStatus.READ),
        ((DeviceEvent.ReceiptItem) read.items().get(1)).receipt());
    // A page of receipts alone reads nothing, even of a conversation that would not answer.
    var receipts = new PendingReader.Page(List.of(
        new UserActor.PendingDelivery(10, new PendingQueue.Item("g.silent", 5, "carol", 0, ReceiptStatus.READ))), false);
    assertTrue(await(reader(Duration.ofMillis(300)).read(receipts)).complete());
  }
}
