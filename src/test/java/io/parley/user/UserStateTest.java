package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.conversation.ConversationInfo;
import io.parley.push.PushToken;
import io.parley.testing.EntityHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A user's state as stored before this version: snapshots, and events without their limits. */
class UserStateTest {
  static final String CONVERSATION = "d:alice:bob";
  static final ConversationInfo INFO = new ConversationInfo(CONVERSATION, null, List.of("alice", "bob"), 0);
  static final long T0 = 1_700_000_000_000L;

  EntityHarness harness;

  @BeforeEach
  void start() {
    harness = new EntityHarness("");
  }

  @AfterEach
  void stop() {
    harness.shutdown();
  }

  private Object read(String manifest, String json) {
    return harness.readStored(manifest, json);
  }

  @Test
  void aSnapshotOfTheFormerStateClassReads() {
    var state = (UserState) read("io.parley.user.UserActor$State", """
        {"nextCursor":3,"pending":{"items":{
          "1":{"conversationId":"d:alice:bob","seq":1,"senderId":"alice","serverTs":1700000000000},
          "2":{"conversationId":"d:alice:bob","seq":2,"senderId":"alice","serverTs":1700000001000}}},
         "devices":{"phone":{"ackedCursor":1,"lastActiveTs":1700000001000}},
         "storedThrough":{"d:alice:bob":2},
         "inbox":{"entries":{"d:alice:bob":{"title":"alice","members":["alice","bob"],"lastSeq":2,
           "preview":"hi","lastSenderId":"alice","lastMessageTs":1700000001000,"readSeq":1,
           "unreadSeqs":[2],"unreadNotKept":0}}},
         "lastSeen":1700000002000,"pushTokens":[{"platform":"apns","token":"a1b2"}]}""");
    assertEquals(2, state.lastCursor());
    assertEquals(List.of(2L), state.pendingPage(1, 10).items().stream().map(UserActor.PendingDelivery::cursor).toList());
    assertEquals(1, state.ackedCursor("phone"));
    assertEquals(2L, state.storedThrough.get(CONVERSATION));
    assertEquals(1, state.inbox.item(CONVERSATION).unreadCount());
    assertEquals(T0 + 2000, state.lastSeen);
    assertEquals(Set.of(new PushToken("apns", "a1b2")), state.pushTokens);
  }

  @Test
  void anInboxIsStoredInTheShapeItAlwaysHad() {
    UserState state = new UserState();
    Inbox inbox = state.inbox;
    var group = new ConversationInfo("g.1", "Climbing", List.of("alice", "bob", "carol"), 0);
    inbox.addMessages("bob", group, "g.1", List.of(new PendingQueue.Item("g.1", 1, "bob", T0),
        new PendingQueue.Item("g.1", 2, "carol", T0 + 1), new PendingQueue.Item("g.1", 3, "carol", T0 + 2)),
        new InboxPreview("hey", "k1"), 0, null, 0, 0);
    var grown = new ConversationInfo("g.1", "Climbing", List.of("alice", "bob", "carol", "dave"), 0);
    inbox.update("bob", grown, T0, 1); // a budget too small: the members are not kept
    inbox.messagesGone("g.1", 3, SeqRanges.of(3));
    String stored = harness.storedJson(state.copy());
    assertTrue(stored.contains("\"inbox\":{\"entries\":{\"g.1\":{\"title\":null,\"members\":null,\"lastSeq\":3,\"preview\":\"[deleted]\","
        + "\"lastSenderId\":\"carol\",\"lastMessageTs\":1700000000002,\"readSeq\":0,\"unreadSeqs\":[2],"
        + "\"unreadNotKept\":0,\"memberCount\":4,\"fingerprint\":" + grown.fingerprint()
        + ",\"previewKeyId\":null,\"sent\":true,\"gone\":[3,3]}}}"), stored);
  }

  @Test
  void theUsersContactsAreThoseTheyWroteToAndTheSnapshotKeepsThem() {
    UserState state = new UserState();
    var direct = new ConversationInfo("d:bob:mallory", null, List.of("bob", "mallory"), 0);
    var group = new ConversationInfo("g.1", "Climbing", List.of("alice", "bob", "carol"), 0);
    state.inbox.addMessages("bob", direct, direct.conversationId(),
        List.of(new PendingQueue.Item(direct.conversationId(), 1, "mallory", T0)), new InboxPreview("hi", null), 0);
    state.inbox.addMessages("bob", group, group.conversationId(),
        List.of(new PendingQueue.Item("g.1", 1, "bob", T0), new PendingQueue.Item("g.1", 2, "carol", T0 + 1)),
        new InboxPreview("hey", null), 0);
    String stored = harness.storedJson(state.copy());
    assertEquals(1, stored.split("\"sent\"", -1).length - 1, "only where bob sent: " + stored);
    var read = (UserState) read(UserState.class.getName(), stored);
    for (UserState s : List.of(state, read)) {
      assertFalse(s.inbox.hasTalkedTo("bob", "mallory"), "mallory only wrote to bob");
      assertTrue(s.inbox.hasTalkedTo("bob", "alice"));
      assertTrue(s.inbox.hasTalkedTo("bob", "carol"), "carol wrote last, but bob wrote before");
    }
  }

  @Test
  void eventsStoredWithoutTheirLimitsReadThemAsZero() {
    var stored = (UserActor.MessagesStored) read("io.parley.user.UserActor$MessagesStored", """
        {"info":{"conversationId":"d:alice:bob","title":null,"members":["alice","bob"],"lastSeq":0},
         "items":[{"conversationId":"d:alice:bob","seq":1,"senderId":"alice","serverTs":1700000000000}],
         "preview":"hi"}""");
    assertEquals(0, stored.inboxMaxEntries());
    assertEquals(0, stored.pendingMaxItems());
    assertEquals(0, stored.inactiveBefore());
    assertEquals(0, stored.pendingIdBytes());
    var notice = (UserActor.NoticeStored) read("io.parley.user.UserActor$NoticeStored", """
        {"item":{"conversationId":"d:alice:bob","seq":1,"senderId":"bob","serverTs":1700000000000,"receipt":"READ"},
         "pendingMaxItems":10000,"inactiveBefore":0}""");
    assertEquals(0, notice.pendingIdBytes());
    var changed = (UserActor.MembershipChanged) read("io.parley.user.UserActor$MembershipChanged", """
        {"info":{"conversationId":"d:alice:bob","title":null,"members":["alice","bob"],"lastSeq":0},
         "lastMessageTs":1700000000000}""");
    assertEquals(0, changed.inboxMaxEntries());
    var connected = (UserActor.DeviceConnected) read("io.parley.user.UserActor$DeviceConnected", """
        {"deviceId":"phone","ts":1700000000000}""");
    assertEquals(new UserActor.DeviceConnected("phone", T0, 0, 0, 0), connected);
    var acked = (UserActor.DeviceAcked) read("io.parley.user.UserActor$DeviceAcked", """
        {"deviceId":"phone","cursor":1,"ts":1700000001000}""");
    assertEquals(new UserActor.DeviceAcked("phone", 1, T0 + 1000, 0, 0), acked);
  }

  @Test
  void aPendingItemStoredBeforeReceiptsWereItemsIsAMessage() throws Exception {
    var stored = (UserActor.MessagesStored) read("io.parley.user.UserActor$MessagesStored", """
        {"info":null,"items":[{"conversationId":"d:alice:bob","seq":1,"senderId":"alice","serverTs":1700000000000}],
         "preview":"hi","inboxMaxEntries":1000,"pendingMaxItems":10000,"inactiveBefore":0}""");
    assertEquals(new PendingQueue.Item(CONVERSATION, 1, "alice", T0, null), stored.items().get(0));
    UserState state = new UserState().apply("bob", new UserActor.MessagesStored(INFO, stored.items(), "hi", 1000, 10_000, 0, 0, 0, null));
    state.apply(new UserActor.DeviceConnected("phone", T0, 10_000, 0, 10));
    assertEquals(Map.of(CONVERSATION, 1L), state.seqsBetween(0, 1), "acking it delivers the message");
    // A message is still stored as before, without a receipt field: snapshots grow by nothing.
    String json = harness.storedJson(stored);
    assertFalse(json.contains("receipt"), json);
  }

  @Test
  void leavingAConversationForgetsHowFarItWasStored() {
    UserState state = new UserState();
    var group = new ConversationInfo("g.left", "left", List.of("alice", "bob"), 0);
    state.apply("bob", new UserActor.MembershipChanged(group, T0, 1000, 0));
    state.apply("bob", new UserActor.MessagesStored(group, List.of(new PendingQueue.Item("g.left", 1, "alice", T0)),
        "hi", 1000, 10_000, 0, 0, 0, null));
    assertEquals(1L, state.storedThrough.get("g.left"));
    state.apply("bob", new UserActor.MembershipChanged(
        new ConversationInfo("g.left", "left", List.of("alice"), 1), T0, 1000, 0));
    assertFalse(state.storedThrough.containsKey("g.left"), "nothing kept for a conversation bob left");
    assertTrue(state.inbox.get("g.left").isEmpty());
  }

  @Test
  void eventsStoredWithoutTheirLimitsApplyTheDefaultsOfTheirTime() {
    UserState state = new UserState();
    for (int i = 0; i <= UserState.FORMER_INBOX_MAX_ENTRIES; i++) {
      var info = new ConversationInfo("g." + i, "group", List.of("alice", "bob"), 0);
      state.apply("bob", new UserActor.MembershipChanged(info, T0 + i, 0, 0));
    }
    assertEquals(UserState.FORMER_INBOX_MAX_ENTRIES, state.inbox.page(Integer.MAX_VALUE, InboxCursor.NEWEST).size());

    state.apply(new UserActor.DeviceConnected("tablet", T0, 0, 0, 0));
    List<PendingQueue.Item> items = LongStream.rangeClosed(1, UserState.FORMER_PENDING_MAX_ITEMS + 1)
        .mapToObj(seq -> new PendingQueue.Item(CONVERSATION, seq, "alice", T0))
        .toList();
    state.apply("bob", new UserActor.MessagesStored(INFO, items, "hi", 0, 0, 0, 0, 0, null));
    assertEquals(UserState.FORMER_PENDING_MAX_ITEMS, state.pending.size(), "the oldest item beyond the cap went");
    assertEquals(Set.of("tablet"), state.devices.keySet(), "the tablet, just seen, holds items back");

    // 30 days after the tablet was last seen, it no longer does, and its items go with it.
    long later = T0 + Duration.ofDays(30).toMillis() + 1;
    state.apply("bob", new UserActor.MessagesStored(INFO,
        List.of(new PendingQueue.Item(CONVERSATION, items.size() + 1, "alice", later)), "hi", 0, 0, 0, 0, 0, null));
    assertEquals(Set.of(), state.devices.keySet());
    assertEquals(1, state.pending.size());
  }

  @Test
  void beyondTheIdBoundTheOldestItemsGoEvenIfADeviceHasNotAckedThem() {
    UserState state = new UserState();
    state.apply(new UserActor.DeviceConnected("phone", T0, 10_000, 0, 10));
    // Each conversation's items name two ids of 10 bytes (with quotes and comma): 40 keep two.
    for (int c = 1; c <= 3; c++) {
      var items = List.of(new PendingQueue.Item("g.conv" + c, 1, "member" + c, T0 + c),
          new PendingQueue.Item("g.conv" + c, 2, "member" + c, T0 + c));
      state.apply("bob", new UserActor.MessagesStored(INFO, items, "hi", 1000, 10_000, 0, 0, 40, null));
    }
    assertEquals(List.of(3L, 4L, 5L, 6L), state.pendingPage(0, 10).items().stream()
        .map(UserActor.PendingDelivery::cursor).toList());
    assertEquals(40, state.pending.idBytes());
    // The phone acked nothing: its re-delivery starts after a gap, which the gateway reports
    // (pending_dropped) rather than skipping silently.
    assertEquals(0, state.ackedCursor("phone"));
    state.apply(new UserActor.NoticeStored(
        new PendingQueue.Item("g.conv4", 2, "member4", T0 + 9, null, true), 10_000, 0, 40));
    assertEquals(List.of(5L, 6L, 7L), state.pendingPage(0, 10).items().stream()
        .map(UserActor.PendingDelivery::cursor).toList());
  }
}
