package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.EventBatches;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.MessageIds;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.Test;

/** The inbox ({@link InboxCommands}, {@link MemberLists}): groups' member lists, unread counts and reading. */
class UserInboxTest extends UserFixture {
  @Test
  void aGroupsMemberListIsStoredWithItsFirstMessageNotWithEveryMessage() {
    PersistenceTestKit journal = PersistenceTestKit.create(harness.testKit.system());
    var bob = spawn();
    List<String> members = new java.util.ArrayList<>(List.of("alice", "bob"));
    IntStream.range(0, 200).forEach(i -> members.add("member" + i));
    var info = new ConversationInfo("g.big", "big", members, 0);
    for (long seq = 1; seq <= 3; seq++) {
      long ts = harness.clock.millis();
      bob.tell(new UserActor.Deliver(info, seq - 1, List.of(
          new ChatMessage("g.big", seq, MessageIds.of("g.big", seq, ts), "alice", "b" + seq, "hi", "text", ts))));
      assertEquals(seq, ((ConversationActor.HandedOff) harness.conversationProbe("g.big").receiveMessage()).seq());
    }
    List<UserActor.MessagesStored> stored = journal.persistedInStorage(UserActor.persistenceId("bob").id()).stream()
        .flatMap(e -> EventBatches.unbatched(e).stream())
        .filter(UserActor.MessagesStored.class::isInstance)
        .map(UserActor.MessagesStored.class::cast)
        .toList();
    assertEquals(List.of(true, false, false), stored.stream().map(e -> e.info() != null).toList());
    // The inbox, rebuilt from those events, still knows the group.
    bob = restart(bob);
    InboxItem item = observe(bob).inbox().get(0);
    assertEquals(members, item.members());
    assertEquals("big", item.title());
    assertEquals(3, item.lastSeq());
    assertEquals(3, item.unreadCount());
  }

  @Test
  void aMemberWhoMissedAMembershipChangeRefusesIdsOnlyAndStoresTheListItIsSentThen() {
    var bob = spawn();
    var before = new ConversationInfo("g.x", "x", List.of("alice", "bob"), 0);
    bob.tell(new UserActor.ConversationChanged(before, harness.clock.millis()));
    var conversation = harness.conversationProbe("g.x");
    assertEquals(new ConversationActor.MembershipHeld("bob", before.fingerprint()), conversation.receiveMessage());
    // Carol joined, and bob's notice was lost; the conversation takes him to hold the new membership.
    var after = new ConversationInfo("g.x", "x", List.of("alice", "bob", "carol"), 0);
    long ts = harness.clock.millis();
    var m1 = new ChatMessage("g.x", 1, MessageIds.of("g.x", 1, ts), "carol", "c1", "hi", "text", ts);
    bob.tell(new UserActor.Deliver(null, 0, List.of(m1), "g.x", after.fingerprint()));
    assertEquals(new ConversationActor.HandedOff("bob", 0, before.fingerprint()), conversation.receiveMessage());
    assertEquals(List.of(), pendingCursors(bob, 0), "nothing stored under a membership it does not hold");
    // The conversation sends it again with the list: stored, and the inbox shows carol.
    bob.tell(new UserActor.Deliver(after, 0, List.of(m1), "g.x", after.fingerprint()));
    assertEquals(new ConversationActor.HandedOff("bob", 1, after.fingerprint()), conversation.receiveMessage());
    var m2 = new ChatMessage("g.x", 2, MessageIds.of("g.x", 2, ts), "alice", "a2", "yo", "text", ts);
    bob.tell(new UserActor.Deliver(null, 1, List.of(m2), "g.x", after.fingerprint()));
    assertEquals(new ConversationActor.HandedOff("bob", 2, after.fingerprint()), conversation.receiveMessage());
    InboxItem item = observe(restart(bob)).inbox().get(0);
    assertEquals(List.of("alice", "bob", "carol"), item.members());
    assertEquals(2, item.unreadCount());
  }

  @Test
  void memberListsBeyondTheBudgetAreKeptAsACountAndReadWhenShown() {
    settings = new UserSettings(settings.pendingMaxItems(), settings.pendingIdBytes(), settings.deviceInactiveAfter(), settings.maxDevices(),
        settings.inboxMaxEntries(), 40, settings.passivateAfterIdle(), settings.snapshotEvery(),
        settings.lazyAckDelay(), settings.ackSyncWait(), settings.pushGatherDelay(), settings.pushCoalesceWindow());
    var bob = spawn();
    // bob and alice take 14 of the 40 bytes (each id with quotes and comma); the second list, 51, does not fit.
    groupChanged(bob, "g.small", "bob", "alice");
    groupChanged(bob, "g.large", "bob", "carol-with-a-long-id", "dave-with-a-long-id");
    harness.conversationProbe("g.small").receiveMessage();
    harness.conversationProbe("g.large").receiveMessage();
    TestProbe<Outcome<UserActor.InboxPage>> page = harness.testKit.createTestProbe();
    bob.tell(new UserActor.GetInbox(20, null, null, page.ref()));
    var getInfo = (ConversationActor.GetInfo) harness.conversationProbe("g.large").receiveMessage();
    getInfo.replyTo().tell(Outcome.ok(new ConversationInfo("g.large", "g.large",
        List.of("bob", "carol-with-a-long-id", "dave-with-a-long-id"), 0)));
    Map<String, List<String>> members = new HashMap<>();
    page.receiveMessage().value().items().forEach(item -> members.put(item.conversationId(), item.members()));
    assertEquals(Map.of("g.small", List.of("bob", "alice"),
        "g.large", List.of("bob", "carol-with-a-long-id", "dave-with-a-long-id")), members);
    harness.conversationProbe("g.small").expectNoMessage(Duration.ofMillis(100));

    // Presence: carol shares only g.large, whose list is not kept, where bob wrote: it is asked, and then she sees bob.
    bobWrites(bob, "g.large", "bob", "carol-with-a-long-id", "dave-with-a-long-id");
    TestProbe<DeviceEvent> carol = harness.testKit.createTestProbe();
    bob.tell(new UserActor.SubscribePresence("carol-with-a-long-id", carol.ref()));
    assertEquals(new DeviceEvent.PresenceHidden("bob"), carol.receiveMessage());
    var asked = (ConversationActor.GetInfo) harness.conversationProbe("g.large").receiveMessage();
    assertEquals("carol-with-a-long-id", asked.userId());
    asked.replyTo().tell(Outcome.ok(new ConversationInfo("g.large", "g.large", List.of(), 0)));
    assertFalse(((DeviceEvent.Presence) carol.receiveMessage()).online());
  }

  /**
   * A conversation the user joins takes its place in the inbox when they join, or at its last
   * message if that is later. A new group with no message yet was placed at the epoch: last on
   * every page, and dropped at once from a full inbox.
   */
  @Test
  void aConversationJoinedBeforeItsFirstMessageIsTheNewestEntryAndKeptInAFullInbox() {
    settings = new UserSettings(settings.pendingMaxItems(), settings.pendingIdBytes(), settings.deviceInactiveAfter(), settings.maxDevices(),
        2, settings.inboxMemberBytes(), settings.passivateAfterIdle(), settings.snapshotEvery(),
        settings.lazyAckDelay(), settings.ackSyncWait(), settings.pushGatherDelay(), settings.pushCoalesceWindow());
    var bob = spawn();
    deliver(bob, "d:alice:bob", 1);
    pass(Duration.ofMinutes(1));
    deliver(bob, "d:bob:carol", 1);
    pass(Duration.ofMinutes(1));
    long joined = harness.clock.millis();
    var group = new ConversationInfo("g.new", "new", List.of("alice", "bob"), 0);
    bob.tell(new UserActor.ConversationChanged(group, 0)); // the group has no message yet
    harness.conversationProbe("g.new").receiveMessage();
    List<InboxItem> inbox = observe(bob).inbox();
    assertEquals(List.of("g.new", "d:bob:carol"), inbox.stream().map(InboxItem::conversationId).toList());
    assertEquals(joined, inbox.get(0).lastMessageTs());
    assertEquals(0, inbox.get(0).lastSeq());

    // Later changes of its membership keep that place, and so does a restart.
    pass(Duration.ofMinutes(1));
    bob.tell(new UserActor.ConversationChanged(new ConversationInfo("g.new", "new", List.of("alice", "bob", "dave"), 0), 0));
    harness.conversationProbe("g.new").receiveMessage();
    inbox = observe(restart(bob)).inbox();
    assertEquals(List.of("g.new", "d:bob:carol"), inbox.stream().map(InboxItem::conversationId).toList());
    assertEquals(joined, inbox.get(0).lastMessageTs());
    assertEquals(List.of("alice", "bob", "dave"), inbox.get(0).members());
  }

  @Test
  void readingUpdatesUnreadCountsOtherDevicesAndTheConversation() {
    var bob = spawn();
    connect(bob, "phone", 0);
    var laptop = connect(bob, "laptop", 0);
    bob.tell(new UserActor.Deliver(INFO, 0, List.of(message(1, "alice"), message(2, "bob"), message(3, "alice"))));
    handedOff();
    laptop.receiveSeveralMessages(4); // three msg.new and an inbox update

    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    bob.tell(new UserActor.MarkRead("phone", CONVERSATION, 1, done.ref()));
    assertTrue(done.receiveMessage().isOk());
    var update = (DeviceEvent.InboxUpdate) laptop.receiveMessage();
    assertEquals(1, update.item().unreadCount(), "seq 3 is unread; bob's own seq 2 never counts");
    assertEquals(new ConversationActor.Read("bob", 1), harness.conversationProbe(CONVERSATION).receiveMessage());

    bob.tell(new UserActor.MarkRead("phone", "g.elsewhere", 1, done.ref()));
    assertEquals(Outcome.Reason.NOT_MEMBER, done.receiveMessage().reason());

    TestProbe<Outcome<UserActor.InboxPage>> inbox = harness.testKit.createTestProbe();
    restart(bob).tell(new UserActor.GetInbox(20, null, null, inbox.ref()));
    InboxItem item = inbox.receiveMessage().value().items().get(0);
    assertEquals(1, item.unreadCount());
    assertEquals(3, item.lastSeq());
    assertEquals("text 3", item.lastMessagePreview());
  }

  /**
   * A read that changes nothing the entry shows (past only the user's own messages) tells the
   * other devices nothing: it sent them the same entry again.
   */
  @Test
  void aReadThatLeavesTheUnreadCountAsItWasSendsNoInboxUpdate() {
    var bob = spawn();
    connect(bob, "phone", 0);
    var laptop = connect(bob, "laptop", 0);
    bob.tell(new UserActor.Deliver(INFO, 0, List.of(message(1, "alice"), message(2, "bob"), message(3, "bob"))));
    handedOff();
    laptop.receiveSeveralMessages(4); // three msg.new and an inbox update

    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    bob.tell(new UserActor.MarkRead("phone", CONVERSATION, 1, done.ref()));
    assertTrue(done.receiveMessage().isOk());
    assertEquals(0, ((DeviceEvent.InboxUpdate) laptop.receiveMessage()).item().unreadCount());
    assertEquals(new ConversationActor.Read("bob", 1), harness.conversationProbe(CONVERSATION).receiveMessage());

    bob.tell(new UserActor.MarkRead("phone", CONVERSATION, 3, done.ref()));
    assertTrue(done.receiveMessage().isOk());
    assertEquals(new ConversationActor.Read("bob", 3), harness.conversationProbe(CONVERSATION).receiveMessage());
    laptop.expectNoMessage(Duration.ofMillis(200));
  }

  /**
   * A message deleted for everyone is not there to read: another member's no longer counts as
   * unread, in the entry and in the push badge. The count stayed as if it could still be read.
   */
  @Test
  void aMessageDeletedForEveryoneNoLongerCountsAsUnreadNorInTheBadge() throws Exception {
    var bob = spawn();
    registerTokens(bob, IPHONE);
    bob.tell(new UserActor.Deliver(INFO, 0, List.of(message(1, "alice"), message(2, "alice"), message(3, "bob"),
        message(4, "alice"))));
    assertEquals(4, handedOff());
    bob.tell(new UserActor.MessageDeleted(CONVERSATION, 2, "alice"));
    bob.tell(new UserActor.MessageDeleted(CONVERSATION, 3, "bob")); // bob's own never counted
    settled(bob);
    pass(settings.pushGatherDelay());
    assertEquals(2, pushes.poll(5, java.util.concurrent.TimeUnit.SECONDS).badge(), "the badge counts 1 and 4");
    bob = restart(bob);
    InboxItem item = observe(bob).inbox().get(0);
    assertEquals(2, item.unreadCount());
    assertEquals("text 4", item.lastMessagePreview());

    var phone = connect(bob, "phone", 0);
    bob.tell(new UserActor.MessageDeleted(CONVERSATION, 1, "alice"));
    var update = (DeviceEvent.InboxUpdate) phone.fishForMessage(Duration.ofSeconds(5), event ->
        event instanceof DeviceEvent.InboxUpdate ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
    assertEquals(1, update.item().unreadCount());
  }

  /**
   * A message deleted before its hand-off reached the member comes as a tombstone: nothing to
   * read, so not unread and no push. It counted, and the push named it.
   */
  @Test
  void aMessageThatComesAsATombstoneIsNotUnreadAndWakesNoOne() throws Exception {
    var bob = spawn();
    registerTokens(bob, IPHONE);
    bob.tell(new UserActor.Deliver(INFO, 0, List.of(message(1, "alice"), message(2, "alice").tombstone(),
        message(3, "alice").tombstone())));
    assertEquals(3, handedOff());
    settled(bob);
    pass(settings.pushGatherDelay());
    assertEquals(new io.parley.push.PushNotification("bob", "apns", "a1b2", CONVERSATION, 1, "alice", 1),
        pushes.poll(5, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(1, observe(restart(bob)).inbox().get(0).unreadCount());
  }

  /**
   * The last message deleted for everyone: the entry keeps its place, seq and sender, and its
   * preview says the message was deleted, alike in inbox.update and inbox.get. It was "", which
   * a client shows as a blank line.
   */
  @Test
  void theLastMessageDeletedShowsDeletedAsThePreviewInUpdatesAndPagesAlike() {
    var bob = spawn();
    var phone = connect(bob, "phone", 0);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 2, "alice")));
    assertEquals(2, handedOff());
    bob.tell(new UserActor.MessageDeleted(CONVERSATION, 2, "alice"));
    phone.fishForMessage(Duration.ofSeconds(5), event ->
        event instanceof DeviceEvent.DeletionItem ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    var update = (DeviceEvent.InboxUpdate) phone.receiveMessage();
    assertEquals("[deleted]", update.item().lastMessagePreview());
    assertEquals(List.of(2L, "alice"), List.of(update.item().lastSeq(), update.item().lastSenderId()));
    assertEquals(update.item(), observe(bob).inbox().get(0));
  }

  /**
   * An erased sender's messages are tombstones: those the member had not read no longer count as
   * unread, and the preview of the last says it is deleted. They still counted.
   */
  @Test
  void anErasedSendersMessagesNoLongerCountAsUnread() {
    var bob = spawn();
    var group = new ConversationInfo("g.x", "x", List.of("alice", "bob", "carol"), 0);
    long ts = harness.clock.millis();
    List<ChatMessage> sent = List.of(
        new ChatMessage("g.x", 1, MessageIds.of("g.x", 1, ts), "alice", "a1", "one", "text", ts),
        new ChatMessage("g.x", 2, MessageIds.of("g.x", 2, ts), "carol", "c2", "two", "text", ts),
        new ChatMessage("g.x", 3, MessageIds.of("g.x", 3, ts), "alice", "a3", "three", "text", ts));
    bob.tell(new UserActor.Deliver(group, 0, sent));
    harness.conversationProbe("g.x").expectMessageClass(ConversationActor.HandedOff.class);
    bob.tell(new UserActor.SenderErased("g.x", "alice", 3, List.of(1L, 1L, 3L, 3L)));
    sync(bob);
    InboxItem item = observe(restart(bob)).inbox().get(0);
    assertEquals(1, item.unreadCount(), "carol's is left");
    assertEquals("[deleted]", item.lastMessagePreview());
  }

  /**
   * A conversation the inbox dropped (beyond its newest entries) comes back with its next message,
   * whose hand-off brings the member list, how far bob read and how many messages he has not read
   * before it: they count again. The count started over from the new message alone.
   */
  @Test
  void aConversationTheInboxDroppedComesBackWithWhatWasUnreadBefore() {
    settings = new UserSettings(settings.pendingMaxItems(), settings.pendingIdBytes(), settings.deviceInactiveAfter(), settings.maxDevices(),
        2, settings.inboxMemberBytes(), settings.passivateAfterIdle(), settings.snapshotEvery(),
        settings.lazyAckDelay(), settings.ackSyncWait(), settings.pushGatherDelay(), settings.pushCoalesceWindow());
    var bob = spawn();
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 3, "alice")));
    assertEquals(3, handedOff());
    pass(Duration.ofMinutes(1));
    deliver(bob, "d:bob:carol", 1);
    pass(Duration.ofMinutes(1));
    deliver(bob, "d:bob:dave", 1);
    assertEquals(List.of("d:bob:dave", "d:bob:carol"),
        observe(bob).inbox().stream().map(InboxItem::conversationId).toList(), "the oldest was dropped");

    pass(Duration.ofMinutes(1));
    bob.tell(new UserActor.Deliver(INFO, 0, List.of(message(4, "alice")), CONVERSATION, INFO.fingerprint(), 1, 2));
    assertEquals(4, handedOff());
    bob = restart(bob);
    InboxItem back = observe(bob).inbox().get(0);
    assertEquals(CONVERSATION, back.conversationId());
    assertEquals(3, back.unreadCount(), "2 and 3 from before, and 4");

    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    bob.tell(new UserActor.MarkRead("phone", CONVERSATION, 4, done.ref()));
    assertTrue(done.receiveMessage().isOk());
    assertEquals(0, observe(bob).inbox().get(0).unreadCount(), "reading the newest reads them all");
  }

  /**
   * A conversation the inbox dropped returns with its next message (whose hand-off brings what
   * it had not read), not with a change of its members or title: that made it anew, empty (no
   * last message, nothing unread) while it had messages, and its unread count started over.
   */
  @Test
  void aConversationTheInboxDroppedDoesNotComeBackEmptyWithAMembershipChange() {
    settings = new UserSettings(settings.pendingMaxItems(), settings.pendingIdBytes(), settings.deviceInactiveAfter(), settings.maxDevices(),
        2, settings.inboxMemberBytes(), settings.passivateAfterIdle(), settings.snapshotEvery(),
        settings.lazyAckDelay(), settings.ackSyncWait(), settings.pushGatherDelay(), settings.pushCoalesceWindow());
    var bob = spawn();
    var group = new ConversationInfo("g.old", "old", List.of("alice", "bob"), 0);
    long ts = harness.clock.millis();
    bob.tell(new UserActor.Deliver(group, 0, List.of(
        new ChatMessage("g.old", 1, MessageIds.of("g.old", 1, ts), "alice", "a1", "hi", "text", ts))));
    harness.conversationProbe("g.old").expectMessageClass(ConversationActor.HandedOff.class);
    pass(Duration.ofMinutes(1));
    deliver(bob, "d:bob:carol", 1);
    pass(Duration.ofMinutes(1));
    deliver(bob, "d:bob:dave", 1);
    groupChanged(bob, "d:bob:dave", "alice", "carol"); // bob is out of it: one entry left
    harness.conversationProbe("d:bob:dave").receiveMessage();

    bob.tell(new UserActor.ConversationChanged(new ConversationInfo("g.old", "renamed", List.of("alice", "bob"), 0), ts));
    harness.conversationProbe("g.old").expectMessageClass(ConversationActor.MembershipHeld.class);
    assertEquals(List.of("d:bob:carol"), observe(bob).inbox().stream().map(InboxItem::conversationId).toList(),
        "g.old returns with its next message");
  }

  /** During a rolling update a node of the build before asks without afterConversationId: strictly older, as before. */
  @Test
  void anInboxAskOfTheBuildBeforePagesStrictlyOlder() {
    TestProbe<Outcome<UserActor.InboxPage>> page = harness.testKit.createTestProbe();
    String json = harness.storedJson(new UserActor.GetInbox(20, 5L, "g.a", page.ref()));
    assertFalse(json.contains("cursor"), "the cursor is read from the fields the build before sends: " + json);
    String earlier = json.replace(",\"afterConversationId\":\"g.a\"", "");
    assertFalse(earlier.equals(json), json);
    var read = (UserActor.GetInbox) harness.readStored(UserActor.GetInbox.class.getName(), earlier);
    assertEquals(new InboxCursor(5L, null), read.cursor());
  }
}
