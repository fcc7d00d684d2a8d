package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ReceiptStatus;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/** Delivery ({@link DeliveryStream}): messages, receipts and deletions as stream items, kept until every device acks. */
class UserDeliveryTest extends UserFixture {
  @Test
  void deliveredMessagesGetCursorsReachConnectedDevicesAndAreConfirmed() {
    var bob = spawn();
    var phone = connect(bob, "phone", 0);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 2, "alice")));
    assertEquals(2, handedOff());
    var first = (DeviceEvent.MsgNew) phone.receiveMessage();
    var second = (DeviceEvent.MsgNew) phone.receiveMessage();
    assertEquals(1, first.cursor());
    assertEquals(2, second.cursor());
    assertEquals(2, second.message().seq());
    var inbox = (DeviceEvent.InboxUpdate) phone.receiveMessage();
    assertEquals(2, inbox.item().unreadCount());
    assertEquals("alice", inbox.item().title());
  }

  @Test
  void aRepeatedHandOffIsDroppedAndAGapIsNotStored() {
    var bob = spawn();
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 3, "alice")));
    assertEquals(3, handedOff());
    // The conversation re-sends (it did not see our confirmation): nothing new is stored.
    bob.tell(new UserActor.Deliver(INFO, 0, messages(2, 3, "alice")));
    assertEquals(3, handedOff());
    // Seq 4 was lost on the way; 5 alone would leave a gap, so we report 3 and store nothing.
    bob.tell(new UserActor.Deliver(INFO, 0, messages(5, 5, "alice")));
    assertEquals(3, handedOff());
    assertEquals(List.of(1L, 2L, 3L), pendingCursors(bob, 0));
    bob.tell(new UserActor.Deliver(INFO, 0, messages(4, 5, "alice")));
    assertEquals(5, handedOff());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), pendingCursors(bob, 0));
  }

  @Test
  void itemsAreKeptUntilEveryDeviceAckedThemAndSurviveRestarts() {
    var bob = spawn();
    connect(bob, "phone", 0);
    connect(bob, "laptop", 0);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 4, "alice")));
    handedOff();
    ack(bob, "phone", 4);
    assertEquals(List.of(1L, 2L, 3L, 4L), pendingCursors(bob, 0), "the laptop has not acked");
    ack(bob, "laptop", 2);
    assertEquals(List.of(3L, 4L), pendingCursors(bob, 0));

    bob = restart(bob);
    assertEquals(List.of(3L, 4L), pendingCursors(bob, 0));
    connect(bob, "laptop", 2);
    connect(bob, "phone", 4);
    // A device connecting for the first time starts at the oldest item still held.
    connect(bob, "tablet", 2);
  }

  @Test
  void acksReportDeliveryToTheConversationAndBadCursorsAreRefused() {
    var bob = spawn();
    connect(bob, "phone", 0);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 3, "alice")));
    handedOff();
    ack(bob, "phone", 2);
    var delivered = (ConversationActor.Delivered) harness.conversationProbe(CONVERSATION).receiveMessage();
    assertEquals(new ConversationActor.Delivered("bob", 2), delivered);

    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Ack("phone", 99, done.ref()));
    assertEquals(Outcome.Reason.BAD_REQUEST, done.receiveMessage().reason());
    ack(bob, "phone", 1); // behind the current ack: accepted, changes nothing
    harness.conversationProbe(CONVERSATION).expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aReceiptForAnOfflineUserIsStoredAndReachesTheDeviceWhenItConnects() {
    var bob = spawn();
    registerTokens(bob, IPHONE);
    var laptop = connect(bob, "laptop", 0); // known, and offline from now on
    bob.tell(new UserActor.Disconnect("laptop", laptop.ref()));
    var phone = connect(bob, "phone", 0);
    bob.tell(new UserActor.Disconnect("phone", phone.ref()));
    bob.tell(new UserActor.DeliverReceipt(CONVERSATION, 2, "alice", ReceiptStatus.DELIVERED));
    bob.tell(new UserActor.DeliverReceipt(CONVERSATION, 2, "alice", ReceiptStatus.READ));
    bob = restart(bob);

    // The phone, back, is told it has acked nothing: its replay starts before both receipts.
    phone = connect(bob, "phone", 0);
    TestProbe<UserActor.PendingPage> page = harness.testKit.createTestProbe();
    bob.tell(new UserActor.GetPending(0, 10, page.ref()));
    List<UserActor.PendingDelivery> pending = page.receiveMessage().items();
    assertEquals(List.of(1L, 2L), pending.stream().map(UserActor.PendingDelivery::cursor).toList());
    assertEquals(List.of(ReceiptStatus.DELIVERED, ReceiptStatus.READ),
        pending.stream().map(delivery -> delivery.item().receipt()).toList());
    assertEquals(new PendingQueue.Item(CONVERSATION, 2, "alice", harness.clock.millis(), ReceiptStatus.READ),
        pending.get(1).item());
    // A receipt is no message: nothing unread, no inbox entry, no push.
    assertEquals(List.of(), observe(bob).inbox());
    noPushDuring(bob, Duration.ofMillis(600));

    // A connected device gets the next one at once, with its cursor (the laptop is still away).
    bob.tell(new UserActor.DeliverReceipt(CONVERSATION, 3, "alice", ReceiptStatus.READ));
    var live = (DeviceEvent.ReceiptItem) phone.receiveMessage();
    assertEquals(3, live.cursor());
    assertEquals(new DeviceEvent.Receipt(CONVERSATION, 3, "alice", ReceiptStatus.READ), live.receipt());
  }

  @Test
  void aDeletionIsAStreamItemForDevicesOfflineNowAndDropsTheInboxPreviewOfThatMessage() {
    var bob = spawn();
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 2, "alice")));
    assertEquals(2, handedOff());
    bob.tell(new UserActor.MessageDeleted(CONVERSATION, 2, "alice"));
    bob = restart(bob);

    var phone = connect(bob, "phone", 0);
    TestProbe<UserActor.PendingPage> page = harness.testKit.createTestProbe();
    bob.tell(new UserActor.GetPending(0, 10, page.ref()));
    List<UserActor.PendingDelivery> pending = page.receiveMessage().items();
    assertEquals(List.of(1L, 2L, 3L), pending.stream().map(UserActor.PendingDelivery::cursor).toList());
    PendingQueue.Item deletion = pending.get(2).item();
    assertEquals(List.of(CONVERSATION, 2L, "alice", true),
        List.of(deletion.conversationId(), deletion.seq(), deletion.senderId(), deletion.deleted()));
    assertFalse(deletion.isMessage());
    InboxItem entry = observe(bob).inbox().get(0);
    assertEquals("[deleted]", entry.lastMessagePreview(), "the preview showed the deleted message");
    assertEquals(1, entry.unreadCount(), "the deleted message is not there to read");

    // A connected device gets the next one at once, with its cursor.
    bob.tell(new UserActor.MessageDeleted(CONVERSATION, 1, "alice"));
    var live = (DeviceEvent.DeletionItem) phone.fishForMessage(Duration.ofSeconds(5), event ->
        event instanceof DeviceEvent.DeletionItem ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
    assertEquals(4, live.cursor());
    assertEquals(new DeviceEvent.MsgDeleted(CONVERSATION, 1), live.deleted());
  }

  /** The conversation tells a notice until it is confirmed (see {@code conversation.DeletionNotices}). */
  @Test
  void aDeletionNoticeIsConfirmedOnceStoredAndOneToldAgainIsOnlyConfirmed() {
    var bob = spawn();
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 2, "alice")));
    assertEquals(2, handedOff());
    var conversation = harness.conversationProbe(CONVERSATION);
    bob.tell(new UserActor.MessageDeleted(CONVERSATION, 2, "alice"));
    assertEquals(new ConversationActor.DeletionNoticed("bob", 2), conversation.receiveMessage());
    // The confirmation was lost on its way: the conversation tells it again.
    bob.tell(new UserActor.MessageDeleted(CONVERSATION, 2, "alice"));
    assertEquals(new ConversationActor.DeletionNoticed("bob", 2), conversation.receiveMessage());
    assertEquals(List.of(1L, 2L, 3L), pendingCursors(restart(bob), 0), "one deletion item, stored once");
  }

  @Test
  void ackedReceiptItemsAreNotSentAgainAndReportNoDelivery() {
    var bob = spawn();
    var laptop = connect(bob, "laptop", 0); // known and offline: receipts are stored for it
    bob.tell(new UserActor.Disconnect("laptop", laptop.ref()));
    var phone = connect(bob, "phone", 0);
    bob.tell(new UserActor.DeliverReceipt("g.team", 5, "alice", ReceiptStatus.DELIVERED));
    assertEquals(1, ((DeviceEvent.ReceiptItem) phone.receiveMessage()).cursor());
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 1, "alice")));
    assertEquals(1, handedOff());
    assertEquals(2, ((DeviceEvent.MsgNew) phone.receiveMessage()).cursor());
    bob.tell(new UserActor.DeliverReceipt("g.team", 5, "alice", ReceiptStatus.READ));
    sync(bob);
    assertEquals(List.of(1L, 2L, 3L), pendingCursors(bob, 0));

    ack(bob, "phone", 3);
    ack(bob, "laptop", 3);
    // Only the message was delivered to bob; acking receipts tells their conversation nothing.
    assertEquals(new ConversationActor.Delivered("bob", 1), harness.conversationProbe(CONVERSATION).receiveMessage());
    harness.conversationProbe("g.team").expectNoMessage(Duration.ofMillis(200));
    assertEquals(List.of(), pendingCursors(bob, 0));
    bob = restart(bob);
    connect(bob, "phone", 3);
    assertEquals(List.of(), pendingCursors(bob, 0), "acked receipts are not replayed after a restart");
  }

  /**
   * PROTOCOL.md: a device connecting for the first time gets everything that arrived while the
   * user had no device. A user with no device yet (one who sent over HTTP only) has none
   * disconnected either: the receipt was taken as told to every device, stored for none, and
   * their first device never got it.
   */
  @Test
  void aReceiptForAUserWithNoDeviceYetWaitsForTheirFirstDevice() {
    var bob = spawn();
    bob.tell(new UserActor.DeliverReceipt(CONVERSATION, 2, "alice", ReceiptStatus.READ));
    sync(bob);
    connect(bob, "phone", 0);
    TestProbe<UserActor.PendingPage> page = harness.testKit.createTestProbe();
    bob.tell(new UserActor.GetPending(0, 10, page.ref()));
    assertEquals(List.of(new PendingQueue.Item(CONVERSATION, 2, "alice", harness.clock.millis(), ReceiptStatus.READ)),
        page.receiveMessage().items().stream().map(UserActor.PendingDelivery::item).toList());
  }

  @Test
  void aReceiptForAUserWhoseDevicesAreAllConnectedIsSentAndNotStored() {
    var bob = spawn();
    var phone = connect(bob, "phone", 0);
    var laptop = connect(bob, "laptop", 0);
    bob.tell(new UserActor.DeliverReceipt(CONVERSATION, 4, "alice", ReceiptStatus.READ));
    DeviceEvent.Receipt receipt = new DeviceEvent.Receipt(CONVERSATION, 4, "alice", ReceiptStatus.READ);
    assertEquals(receipt, phone.receiveMessage());
    assertEquals(receipt, laptop.receiveMessage());
    sync(bob);
    assertEquals(List.of(), pendingCursors(bob, 0), "every device has it: nothing to keep");
  }
}
