package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.user.DeviceEvent;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.junit.jupiter.api.Test;

/**
 * A user id whose account was erased may come back; its new account is told nothing about the
 * erased account's messages: no receipt for them, no receipt counts. Each test checks that the
 * first thing the new account is told is about its own new message.
 */
class ErasedSenderReceiptsTest extends ConversationFixture {
  ErasedSenderReceiptsTest() {
    super("parley.conversation { large-group-from = 5, handoff-retry-interval = 100ms }");
  }

  @Test
  void aReturningIdOfADirectConversationGetsNoReceiptForTheErasedAccountsMessages() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "a1");
    assertTrue(eraseMember(conversation, "alice").isOk());
    conversation.tell(new ConversationActor.Delivered("bob", 1));
    conversation.tell(new ConversationActor.Read("bob", 1));
    assertEquals(2, send(conversation, "alice", "a2").value().seq());
    conversation.tell(new ConversationActor.Delivered("bob", 2));
    assertEquals(new UserActor.DeliverReceipt("d:alice:bob", 2, "bob", ReceiptStatus.DELIVERED),
        next("alice", UserActor.DeliverReceipt.class), "the first receipt alice's new account gets is for its own");
  }

  @Test
  void aReturningIdAddedBackToAGroupGetsNoReceiptForTheErasedAccountsMessages() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    assertTrue(this.<ConversationInfo>ask(conversation,
        replyTo -> new ConversationActor.Create("alice", "Crag", List.of("bob", "carol"), replyTo)).isOk());
    send(conversation, "bob", "b1");
    assertTrue(eraseMember(conversation, "bob").isOk());
    assertTrue(this.<Done>ask(conversation,
        replyTo -> new ConversationActor.AddMembers("alice", List.of("bob"), replyTo)).isOk());
    conversation.tell(new ConversationActor.Read("carol", 1));
    long own = send(conversation, "bob", "b2").value().seq();
    conversation.tell(new ConversationActor.Read("carol", own));
    assertEquals(new UserActor.DeliverReceipt(group, own, "carol", ReceiptStatus.READ),
        next("bob", UserActor.DeliverReceipt.class), "the first receipt bob's new account gets is for its own");
  }

  @Test
  void aReturningIdAddedBackToALargeGroupGetsNoCountsOfTheErasedAccountsMessages() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    assertTrue(this.<ConversationInfo>ask(conversation, replyTo ->
        new ConversationActor.Create("alice", "Crag", List.of("bob", "carol", "dave", "erin"), replyTo)).value().large());
    long old = send(conversation, "bob", "b1").value().seq();
    assertTrue(eraseMember(conversation, "bob").isOk());
    assertTrue(this.<Done>ask(conversation,
        replyTo -> new ConversationActor.AddMembers("alice", List.of("bob"), replyTo)).isOk());
    conversation.tell(new ConversationActor.Relayed(List.of(new ConversationActor.CountAdded(old, 3, 0))));
    assertTrue(this.<Done>ask(conversation, replyTo -> new ConversationActor.MarkRead("carol", old, replyTo)).isOk());
    long own = send(conversation, "bob", "b2").value().seq();
    assertTrue(this.<Done>ask(conversation, replyTo -> new ConversationActor.MarkRead("carol", own, replyTo)).isOk());
    var told = harness.userProbe("bob").fishForMessage(Duration.ofSeconds(5), command ->
        command instanceof UserActor.Notify n && n.event() instanceof DeviceEvent.ReceiptCounts
            ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore()).get(0);
    assertEquals(new DeviceEvent.ReceiptCounts(group, own, 0, 1), ((UserActor.Notify) told).event(),
        "the first counts bob's new account gets are of its own message");
  }

  /**
   * The other way: the new account never had the erased account's conversation, so its devices'
   * receipts do not reach back into it (the erased account's watermarks stay where they were).
   */
  @Test
  void theReturningIdsReceiptsTellNoOneOfMessagesBeforeTheErasure() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "bob", "b1");
    assertTrue(eraseMember(conversation, "alice").isOk());
    conversation.tell(new ConversationActor.Read("alice", 1));
    conversation.tell(new ConversationActor.Delivered("alice", 1));
    assertEquals(2, send(conversation, "bob", "b2").value().seq());
    conversation.tell(new ConversationActor.Read("alice", 2));
    assertEquals(new UserActor.DeliverReceipt("d:alice:bob", 2, "alice", ReceiptStatus.READ),
        next("bob", UserActor.DeliverReceipt.class), "the first receipt bob gets from alice is of what she had");
  }

  /** The new account's export holds no read position of the erased account's: it starts at the erasure. */
  @Test
  void theReturningIdsReceiptsGivenAreNotTheErasedAccounts() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "bob", "b1");
    send(conversation, "bob", "b2");
    assertTrue(this.<Done>ask(conversation, replyTo -> new ConversationActor.MarkRead("alice", 1, replyTo)).isOk());
    assertTrue(eraseMember(conversation, "alice").isOk());
    assertEquals(new ConversationActor.ReceiptsGiven(2, 2), this.<ConversationActor.ReceiptsGiven>ask(conversation,
        replyTo -> new ConversationActor.GetReceiptsGiven("alice", replyTo)).value());
  }
}
