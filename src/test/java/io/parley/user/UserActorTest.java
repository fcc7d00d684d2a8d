package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.EventBatches;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.MessageIds;
import io.parley.conversation.ReceiptStatus;
import io.parley.push.PushNotification;
import io.parley.push.PushToken;
import io.parley.testing.EntityHarness;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The UserActor's command and event logic on Pekko's persistence testkit. Timers run on Pekko's
 * ManualTime, moved together with the harness clock by {@link #pass}.
 */
class UserActorTest {
  static final String CONVERSATION = "d:alice:bob";
  static final ConversationInfo INFO = new ConversationInfo(CONVERSATION, null, List.of("alice", "bob"), 0);

  EntityHarness harness;
  ManualTime time;
  UserSettings settings;
  TestProbe<ClusterSharding.ShardCommand> shard;
  final BlockingQueue<PushNotification> pushes = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() {
    String overrides = "parley.user.snapshot-every = 5\n"
        + "parley.push.gather-delay = 200ms\n"
        + "parley.push.coalesce-window = 1s\n";
    harness = new EntityHarness(ConfigFactory.parseString(overrides).withFallback(ManualTime.config()).root().render());
    time = ManualTime.get(harness.testKit.system());
    settings = UserSettings.from(harness.config);
    shard = harness.testKit.createTestProbe();
  }

  @AfterEach
  void tearDown() {
    harness.shutdown();
  }

  private ActorRef<UserActor.Command> spawn() {
    return harness.testKit.spawn(UserActor.create("bob", shard.ref(), harness, settings, pushes::add,
        userId -> CompletableFuture.completedFuture(null), harness.clock));
  }

  private ActorRef<UserActor.Command> restart(ActorRef<UserActor.Command> user) {
    user.tell(UserActor.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(user, Duration.ofSeconds(5));
    return spawn();
  }

  private ChatMessage message(long seq, String sender) {
    long ts = harness.clock.millis();
    return new ChatMessage(CONVERSATION, seq, MessageIds.of(CONVERSATION, seq, ts), sender, "c" + seq, "text " + seq, "text", ts);
  }

  private List<ChatMessage> messages(long from, long to, String sender) {
    return LongStream.rangeClosed(from, to).mapToObj(seq -> message(seq, sender)).toList();
  }

  /** Connects a device and returns the probe standing in for its connection. */
  private TestProbe<DeviceEvent> connect(ActorRef<UserActor.Command> user, String deviceId, long expectAcked) {
    TestProbe<DeviceEvent> connection = harness.testKit.createTestProbe();
    TestProbe<UserActor.Connected> connected = harness.testKit.createTestProbe();
    user.tell(new UserActor.Connect(deviceId, connection.ref(), connected.ref()));
    assertEquals(expectAcked, connected.receiveMessage().ackedCursor());
    return connection;
  }

  private List<Long> pendingCursors(ActorRef<UserActor.Command> user, long after) {
    return pendingCursors(user, after, 100);
  }

  /** Every pending cursor after {@code after}, read page by page, at most {@code limit}. */
  private List<Long> pendingCursors(ActorRef<UserActor.Command> user, long after, int limit) {
    List<Long> cursors = new java.util.ArrayList<>();
    TestProbe<UserActor.PendingPage> page = harness.testKit.createTestProbe();
    boolean more = true;
    while (more && cursors.size() < limit) {
      user.tell(new UserActor.GetPending(cursors.isEmpty() ? after : cursors.get(cursors.size() - 1), 100, page.ref()));
      UserActor.PendingPage received = page.receiveMessage();
      received.items().forEach(item -> cursors.add(item.cursor()));
      more = received.more();
    }
    return cursors;
  }

  /** An ack followed, as on a connection, by a later frame being answered: the ack is stored. */
  private void ack(ActorRef<UserActor.Command> user, String deviceId, long cursor) {
    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    user.tell(new UserActor.Ack(deviceId, cursor, done.ref()));
    assertTrue(done.receiveMessage().isOk());
    sync(user);
  }

  /** An ack answered, and so reported to the conversation, but not stored yet. */
  private void acceptAck(ActorRef<UserActor.Command> user, String deviceId, long cursor) {
    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    user.tell(new UserActor.Ack(deviceId, cursor, done.ref()));
    assertTrue(done.receiveMessage().isOk());
    harness.conversationProbe(CONVERSATION).expectMessageClass(ConversationActor.Delivered.class);
  }

  private void sync(ActorRef<UserActor.Command> user) {
    TestProbe<Done> stored = harness.testKit.createTestProbe();
    user.tell(new UserActor.Sync(null, 0, stored.ref()));
    stored.expectMessage(Done.INSTANCE);
  }

  private long handedOff() {
    var confirmation = (ConversationActor.HandedOff) harness.conversationProbe(CONVERSATION).receiveMessage();
    return confirmation.seq();
  }

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
  void aConnectionLearnsWhetherItWasStillRegisteredAndTheNewestItem() {
    var bob = spawn();
    TestProbe<DeviceEvent> first = harness.testKit.createTestProbe();
    TestProbe<DeviceEvent> second = harness.testKit.createTestProbe();
    TestProbe<UserActor.Connected> connected = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Connect("phone", first.ref(), connected.ref()));
    assertFalse(connected.receiveMessage().alreadyRegistered());
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 2, "alice")));
    handedOff();
    bob.tell(new UserActor.Connect("phone", first.ref(), connected.ref()));
    UserActor.Connected again = connected.receiveMessage();
    assertTrue(again.alreadyRegistered(), "a periodic re-registration");
    assertEquals(2, again.lastCursor());
    // Another connection of the phone took over; the first one registering again missed what
    // went to the second meanwhile.
    bob.tell(new UserActor.Connect("phone", second.ref(), connected.ref()));
    assertFalse(connected.receiveMessage().alreadyRegistered());
    bob.tell(new UserActor.Connect("phone", first.ref(), connected.ref()));
    assertFalse(connected.receiveMessage().alreadyRegistered());
  }

  @Test
  void aUserConnectsAtMostMaxDevicesDevicesAtOnce() {
    var bob = spawn();
    int max = settings.maxConnectedDevices();
    List<TestProbe<DeviceEvent>> devices = new java.util.ArrayList<>();
    for (int i = 0; i < max; i++) {
      devices.add(connect(bob, "device-" + i, 0));
    }
    TestProbe<DeviceEvent> oneTooMany = harness.testKit.createTestProbe();
    TestProbe<UserActor.Connected> connected = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Connect("device-" + max, oneTooMany.ref(), connected.ref()));
    assertEquals(new DeviceEvent.TooManyDevices(max), oneTooMany.receiveMessage());
    connected.expectNoMessage(java.time.Duration.ofMillis(200));
    // A device already connected may connect again (a new socket replaces its old one)...
    TestProbe<DeviceEvent> again = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Connect("device-0", again.ref(), connected.ref()));
    connected.receiveMessage();
    assertEquals(new DeviceEvent.Replaced(), devices.get(0).receiveMessage());
    // ...and once one leaves, another device may come.
    bob.tell(new UserActor.Disconnect("device-1", devices.get(1).ref()));
    connect(bob, "device-" + max, 0);
  }

  @Test
  void deviceIdsNewToTheUserAreCappedPerDayWhileKnownOnesKeepConnecting() {
    int max = 3;
    settings = new UserSettings(settings.pendingMaxItems(), settings.pendingIdBytes(), settings.deviceInactiveAfter(),
        settings.maxDevices(), settings.inboxMaxEntries(), settings.inboxMemberBytes(), settings.passivateAfterIdle(),
        settings.snapshotEvery(), settings.lazyAckDelay(), settings.ackSyncWait(), settings.pushGatherDelay(),
        settings.pushCoalesceWindow(), settings.maxConnectedDevices(), max, settings.maxWatchedPresence());
    var bob = spawn();
    for (int i = 0; i < max; i++) {
      var device = connect(bob, "device-" + i, 0);
      bob.tell(new UserActor.Disconnect("device-" + i, device.ref()));
      harness.clock.advance(Duration.ofHours(2));
    }
    TestProbe<DeviceEvent> oneTooMany = harness.testKit.createTestProbe();
    TestProbe<UserActor.Connected> connected = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Connect("device-" + max, oneTooMany.ref(), connected.ref()));
    assertEquals(new DeviceEvent.TooManyNewDevices(max), oneTooMany.receiveMessage());
    connected.expectNoMessage(Duration.ofMillis(200));
    // Known devices keep connecting, and the count survives a restart (it is stored).
    connect(bob, "device-0", 0);
    bob = restart(bob);
    connect(bob, "device-1", 0);
    bob.tell(new UserActor.Connect("device-" + max, oneTooMany.ref(), connected.ref()));
    assertEquals(new DeviceEvent.TooManyNewDevices(max), oneTooMany.receiveMessage());
    // A day after the first new device connected, there is room for one more.
    harness.clock.advance(Duration.ofHours(24 - 2 * max).plusMinutes(1));
    connect(bob, "device-" + max, 0);
    bob.tell(new UserActor.Connect("device-" + (max + 1), oneTooMany.ref(), connected.ref()));
    assertEquals(new DeviceEvent.TooManyNewDevices(max), oneTooMany.receiveMessage());
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

  /**
   * A failed write restarts the entity, which rebuilds its state from the journal. Pekko keeps the
   * state {@code emptyState()} gave it and starts every rebuild from that one object, and the
   * event handler changes the state in place: the rebuild began from the state of before the
   * restart and applied every event again, so a device got the user's messages a second time
   * under new cursors (found with the data dir's disk full; any failed write did it).
   */
  @Test
  void aRestartAfterAFailedWriteRebuildsTheStreamWithEachMessageOnce() {
    PersistenceTestKit journal = PersistenceTestKit.create(harness.testKit.system());
    var bob = spawn();
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 3, "alice")));
    assertEquals(3, handedOff());
    journal.failNextPersisted();
    bob.tell(new UserActor.Deliver(INFO, 3, messages(4, 5, "alice")));
    // The failed write restarts the entity (after a back-off, dropping what it is sent meanwhile);
    // its rebuilt stream answers once recovered.
    TestProbe<UserActor.PendingPage> page = harness.testKit.createTestProbe();
    ActorRef<UserActor.Command> restarting = bob;
    UserActor.PendingPage rebuilt = page.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
      time.timePasses(Duration.ofSeconds(1)); // the back-off's timer runs on the test's clock
      restarting.tell(new UserActor.GetPending(0, 100, page.ref()));
      return page.receiveMessage(Duration.ofMillis(300));
    });
    assertEquals(List.of(1L, 2L, 3L), rebuilt.items().stream().map(UserActor.PendingDelivery::cursor).toList(),
        "each message once, under its own cursor");
    assertEquals(List.of(1L, 2L, 3L), rebuilt.items().stream().map(item -> item.item().seq()).toList());
    bob.tell(new UserActor.Deliver(INFO, 3, messages(4, 5, "alice")));
    assertEquals(5, handedOff());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), pendingCursors(bob, 0));
    bob = restart(bob);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), pendingCursors(bob, 0), "and so after a stop and a recovery");
  }

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
    bob.tell(new UserActor.GetInbox(20, null, page.ref()));
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

    TestProbe<Done> synced = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Sync(CONVERSATION, 3, synced.ref()));
    synced.expectNoMessage(Duration.ofMillis(200));
    assertEquals(writes, journal.persistedInStorage(UserActor.persistenceId("bob").id()).size(), "no write of the ack alone");

    bob.tell(new UserActor.Deliver(INFO, 0, messages(3, 3, "bob")));
    synced.expectMessage(Done.INSTANCE);
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
    TestProbe<Done> synced = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Sync(CONVERSATION, 2, synced.ref()));
    synced.expectMessage(Done.INSTANCE);
    bob = restart(bob);
    connect(bob, "phone", 1);

    acceptAck(bob, "phone", 2);
    bob.tell(new UserActor.Sync(CONVERSATION, 3, synced.ref()));
    synced.expectNoMessage(Duration.ofMillis(100));
    pass(settings.ackSyncWait());
    synced.expectMessage(Done.INSTANCE);
    bob = restart(bob);
    assertEquals(List.of(), pendingCursors(bob, 0), "stored once the copy did not come in time");
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
    restart(bob).tell(new UserActor.GetInbox(20, null, inbox.ref()));
    InboxItem item = inbox.receiveMessage().value().items().get(0);
    assertEquals(1, item.unreadCount());
    assertEquals(3, item.lastSeq());
    assertEquals("text 3", item.lastMessagePreview());
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
    assertEquals("", entry.lastMessagePreview(), "the preview showed the deleted message");
    assertEquals(2, entry.unreadCount());

    // A connected device gets the next one at once, with its cursor.
    bob.tell(new UserActor.MessageDeleted(CONVERSATION, 1, "alice"));
    var live = (DeviceEvent.DeletionItem) phone.fishForMessage(Duration.ofSeconds(5), event ->
        event instanceof DeviceEvent.DeletionItem ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
    assertEquals(4, live.cursor());
    assertEquals(new DeviceEvent.MsgDeleted(CONVERSATION, 1), live.deleted());
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

  @Test
  void aNewConnectionForTheSameDeviceReplacesTheOldOne() {
    var bob = spawn();
    var first = connect(bob, "phone", 0);
    var second = connect(bob, "phone", 0);
    first.expectMessageClass(DeviceEvent.Replaced.class);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 1, "alice")));
    assertEquals(1, ((DeviceEvent.MsgNew) second.receiveMessage()).cursor());
    first.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aDeviceBackWithinTheResolutionStoresNoConnectAndOneBackLaterDoes() {
    PersistenceTestKit journal = PersistenceTestKit.create(harness.testKit.system());
    var bob = spawn();
    var phone = connect(bob, "phone", 0);
    deliver(bob, CONVERSATION, 2);
    ack(bob, "phone", 2);
    assertEquals(1, storedEvents(journal, UserActor.DeviceConnected.class), "a new device is stored");

    bob.tell(new UserActor.Disconnect("phone", phone.ref()));
    phone = connect(bob, "phone", 2);
    assertEquals(1, storedEvents(journal, UserActor.DeviceConnected.class), "back at once: nothing new to store");
    assertEquals(1, storedEvents(journal, UserActor.DeviceDisconnected.class), "the last seen is stored");

    // Known after a restart too: its cursor comes from what is stored.
    bob = restart(bob);
    phone = connect(bob, "phone", 2);
    assertEquals(1, storedEvents(journal, UserActor.DeviceConnected.class));

    bob.tell(new UserActor.Disconnect("phone", phone.ref()));
    sync(bob); // the disconnect is stored as of now, before the clock moves
    harness.clock.advance(DeviceConnections.ACTIVITY_RESOLUTION);
    connect(bob, "phone", 2);
    assertEquals(2, storedEvents(journal, UserActor.DeviceConnected.class), "back after the resolution: stored");
  }

  private long storedEvents(PersistenceTestKit journal, Class<?> type) {
    return journal.persistedInStorage(UserActor.persistenceId("bob").id()).stream()
        .flatMap(event -> EventBatches.unbatched(event).stream())
        .filter(type::isInstance)
        .count();
  }

  @Test
  void aDeviceAbsentForThirtyDaysNoLongerHoldsItemsBack() {
    var bob = spawn();
    connect(bob, "phone", 0);
    var tablet = connect(bob, "old-tablet", 0);
    bob.tell(new UserActor.Disconnect("old-tablet", tablet.ref()));
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 2, "alice")));
    handedOff();
    ack(bob, "phone", 2);
    assertEquals(List.of(1L, 2L), pendingCursors(bob, 0), "the tablet may still come back");

    harness.clock.advance(settings.deviceInactiveAfter().plusDays(1));
    connect(bob, "phone", 2);
    assertEquals(List.of(), pendingCursors(bob, 0));
  }

  @Test
  void aDeviceBackAfterThirtyDaysLosesItsOldPendingItemsButNotNewerOnes() {
    var bob = spawn();
    var phone = connect(bob, "phone", 0);
    bob.tell(new UserActor.Disconnect("phone", phone.ref()));
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 2, "alice")));
    handedOff();
    harness.clock.advance(Duration.ofDays(20));
    bob.tell(new UserActor.Deliver(INFO, 2, messages(3, 3, "alice")));
    handedOff();
    assertEquals(List.of(1L, 2L, 3L), pendingCursors(bob, 0));

    // No event has happened since the phone went quiet, so nothing was trimmed yet: its return
    // itself must not revive items it would have lost (PROTOCOL: pending items of a device gone
    // 30 days are dropped; history keeps them).
    harness.clock.advance(Duration.ofDays(11));
    connect(bob, "phone", 2);
    assertEquals(List.of(3L), pendingCursors(bob, 0));
  }

  /**
   * The limits a user's events were decided under stay theirs: recovering under a configuration
   * with other limits rebuilds the very state they were stored with.
   */
  @Test
  void replayingTheSameEventsUnderOtherLimitsGivesTheSameState() {
    settings = withLimits(3, settings.pendingIdBytes(), Duration.ofDays(1), 2);
    var bob = spawn();
    var tablet = connect(bob, "tablet", 0);
    bob.tell(new UserActor.Disconnect("tablet", tablet.ref()));
    for (int i = 1; i <= 4; i++) {
      deliver(bob, "g.limits" + i, 2);
      harness.clock.advance(Duration.ofHours(1));
    }
    // The tablet has been away longer than a day: the next write trims what only it held.
    harness.clock.advance(Duration.ofDays(2));
    deliver(bob, "g.limits5", 2);
    var joined = new ConversationInfo("g.limits6", "six", List.of("alice", "bob"), 0);
    bob.tell(new UserActor.ConversationChanged(joined, harness.clock.millis()));
    sync(bob);
    Observed before = observe(bob);
    assertEquals(2, before.inbox().size(), "the inbox holds its cap of 2");
    assertEquals(List.of(9L, 10L), before.pending(), "the tablet's old items went with it");

    settings = withLimits(10_000, settings.pendingIdBytes(), Duration.ofDays(30), 1000);
    bob = restart(bob);
    assertEquals(before, observe(bob));
  }

  /**
   * Beyond the pending queue's id bound the oldest items go, though the tablet has not acked
   * them; the bound is the write's own, so recovering under another rebuilds the same queue.
   */
  @Test
  void beyondThePendingIdBoundTheOldestItemsGoAndStayGoneUnderAnotherBound() {
    // alice takes 8 bytes, each conversation id 9: alice and two conversations fit in 30.
    settings = withLimits(10_000, 30, Duration.ofDays(30), 1000);
    var bob = spawn();
    connect(bob, "tablet", 0);
    for (int i = 1; i <= 4; i++) {
      deliver(bob, "g.ids" + i, 2);
    }
    assertEquals(List.of(5L, 6L, 7L, 8L), pendingCursors(bob, 0));

    settings = withLimits(10_000, 32 * 1024, Duration.ofDays(30), 1000);
    bob = restart(bob);
    assertEquals(List.of(5L, 6L, 7L, 8L), pendingCursors(bob, 0));
  }

  @Test
  void aNewDeviceBeyondTheLimitMakesTheLeastRecentlySeenOneForgotten() {
    settings = new UserSettings(settings.pendingMaxItems(), settings.pendingIdBytes(), settings.deviceInactiveAfter(), 2,
        settings.inboxMaxEntries(), settings.inboxMemberBytes(), settings.passivateAfterIdle(), settings.snapshotEvery(),
        settings.lazyAckDelay(), settings.ackSyncWait(),
        settings.pushGatherDelay(), settings.pushCoalesceWindow());
    var bob = spawn();
    connect(bob, "old-tab", 0);
    harness.clock.advance(Duration.ofMinutes(1));
    connect(bob, "phone", 0);
    deliver(bob, "g.devices", 4);
    ack(bob, "phone", 4);
    assertEquals(List.of(1L, 2L, 3L, 4L), pendingCursors(bob, 0), "the old tab has not acked");
    harness.clock.advance(Duration.ofMinutes(1));
    // A third device: the old tab, seen least recently, no longer holds items back.
    connect(bob, "laptop", 0);
    ack(bob, "laptop", 4);
    assertEquals(List.of(), pendingCursors(bob, 0));
  }

  private record Observed(List<InboxItem> inbox, List<Long> pending) {}

  private Observed observe(ActorRef<UserActor.Command> user) {
    TestProbe<Outcome<UserActor.InboxPage>> inbox = harness.testKit.createTestProbe();
    user.tell(new UserActor.GetInbox(200, null, inbox.ref()));
    return new Observed(inbox.receiveMessage().value().items(), pendingCursors(user, 0));
  }

  private void deliver(ActorRef<UserActor.Command> user, String conversationId, int messages) {
    var info = new ConversationInfo(conversationId, conversationId, List.of("alice", "bob"), 0);
    long ts = harness.clock.millis();
    user.tell(new UserActor.Deliver(info, 0, LongStream.rangeClosed(1, messages)
        .mapToObj(seq -> new ChatMessage(conversationId, seq, MessageIds.of(conversationId, seq, ts), "alice",
            "c" + seq, "text " + seq, "text", ts))
        .toList()));
    harness.conversationProbe(conversationId).expectMessageClass(ConversationActor.HandedOff.class);
  }

  /** The configured settings with other limits, and no snapshots: recovery replays every event. */
  private UserSettings withLimits(int pendingMaxItems, int pendingIdBytes, Duration deviceInactiveAfter,
      int inboxMaxEntries) {
    return new UserSettings(pendingMaxItems, pendingIdBytes, deviceInactiveAfter, settings.maxDevices(), inboxMaxEntries,
        settings.inboxMemberBytes(), settings.passivateAfterIdle(),
        1_000_000, settings.lazyAckDelay(), settings.ackSyncWait(), settings.pushGatherDelay(), settings.pushCoalesceWindow());
  }

  /** Bob has written to alice: she is his contact, as his inbox records it. */
  private void shareAConversationWithAlice(ActorRef<UserActor.Command> bob) {
    bobWrites(bob, CONVERSATION, "alice", "bob");
  }

  /** Bob's own message in {@code conversationId} is stored in his stream: its members become his contacts. */
  private void bobWrites(ActorRef<UserActor.Command> bob, String conversationId, String... members) {
    long ts = harness.clock.millis();
    long seq = ++bobsMessages;
    bob.tell(new UserActor.Deliver(new ConversationInfo(conversationId, conversationId, List.of(members), 0), seq - 1,
        List.of(new ChatMessage(conversationId, seq, MessageIds.of(conversationId, seq, ts), "bob", "b" + seq,
            "text " + seq, "text", ts))));
    harness.conversationProbe(conversationId).expectMessageClass(ConversationActor.HandedOff.class);
  }

  private long bobsMessages;

  @Test
  void aRenewedPresenceSubscriptionSurvivesARestartAndRepeatsNothing() {
    var bob = spawn();
    shareAConversationWithAlice(bob);
    TestProbe<DeviceEvent> subscriber = harness.testKit.createTestProbe();
    bob.tell(new UserActor.SubscribePresence("alice", subscriber.ref()));
    assertFalse(((DeviceEvent.Presence) subscriber.receiveMessage()).online());
    bob.tell(new UserActor.RenewPresence("alice", subscriber.ref()));
    subscriber.expectNoMessage(Duration.ofMillis(200));
    // The entity moved (or restarted): the renewal subscribes again, and the subscriber hears the news.
    bob = restart(bob);
    bob.tell(new UserActor.RenewPresence("alice", subscriber.ref()));
    assertFalse(((DeviceEvent.Presence) subscriber.receiveMessage()).online());
    connect(bob, "phone", 0);
    assertTrue(((DeviceEvent.Presence) subscriber.receiveMessage()).online());
  }

  @Test
  void presenceSubscribersHearOfEveryChange() {
    var bob = spawn();
    shareAConversationWithAlice(bob);
    TestProbe<DeviceEvent> subscriber = harness.testKit.createTestProbe();
    bob.tell(new UserActor.SubscribePresence("alice", subscriber.ref()));
    assertFalse(((DeviceEvent.Presence) subscriber.receiveMessage()).online());
    var phone = connect(bob, "phone", 0);
    assertTrue(((DeviceEvent.Presence) subscriber.receiveMessage()).online());
    harness.clock.advance(Duration.ofMinutes(5));
    bob.tell(new UserActor.Disconnect("phone", phone.ref()));
    var offline = (DeviceEvent.Presence) subscriber.receiveMessage();
    assertFalse(offline.online());
    assertEquals(harness.clock.millis(), offline.lastSeen());
  }

  @Test
  void aStrangerIsToldNothingOfThePresenceAndHearsNoChange() {
    var bob = spawn();
    shareAConversationWithAlice(bob);
    connect(bob, "phone", 0);
    TestProbe<DeviceEvent> stranger = harness.testKit.createTestProbe();
    bob.tell(new UserActor.SubscribePresence("mallory", stranger.ref()));
    // The same answer as for a user who does not exist: no online status, no last seen.
    assertEquals(new DeviceEvent.PresenceHidden("bob"), stranger.receiveMessage());
    bob.tell(new UserActor.RenewPresence("mallory", stranger.ref()));
    var tablet = connect(bob, "tablet", 0);
    bob.tell(new UserActor.Disconnect("tablet", tablet.ref()));
    stranger.expectNoMessage(Duration.ofMillis(200));
    // A member of a group bob is in may watch; being named in the conversation id is not enough.
    bobWrites(bob, "g.climbing", "bob", "carol");
    TestProbe<DeviceEvent> carol = harness.testKit.createTestProbe();
    bob.tell(new UserActor.SubscribePresence("carol", carol.ref()));
    assertTrue(((DeviceEvent.Presence) carol.receiveMessage()).online());
    TestProbe<DeviceEvent> dave = harness.testKit.createTestProbe();
    groupChanged(bob, "d:bob:dave", "bob");
    bob.tell(new UserActor.SubscribePresence("dave", dave.ref()));
    assertEquals(new DeviceEvent.PresenceHidden("bob"), dave.receiveMessage());
  }

  private void groupChanged(ActorRef<UserActor.Command> bob, String groupId, String... members) {
    bob.tell(new UserActor.ConversationChanged(
        new ConversationInfo(groupId, groupId, List.of(members), 0), harness.clock.millis()));
    sync(bob);
  }

  @Test
  void aSubscriberWhoLeftTheLastSharedConversationSeesNoMoreOfThePresence() {
    var bob = spawn();
    bobWrites(bob, "g.one", "alice", "bob");
    bobWrites(bob, "g.two", "alice", "bob");
    TestProbe<DeviceEvent> alice = harness.testKit.createTestProbe();
    bob.tell(new UserActor.SubscribePresence("alice", alice.ref()));
    assertFalse(((DeviceEvent.Presence) alice.receiveMessage()).online());
    groupChanged(bob, "g.one", "bob");
    bob.tell(new UserActor.RenewPresence("alice", alice.ref()));
    alice.expectNoMessage(Duration.ofMillis(200)); // g.two is still shared
    // Alice leaves g.two too: told at once, and nothing after.
    groupChanged(bob, "g.two", "bob");
    assertEquals(new DeviceEvent.PresenceHidden("bob"), alice.receiveMessage());
    bob.tell(new UserActor.RenewPresence("alice", alice.ref()));
    var phone = connect(bob, "phone", 0);
    bob.tell(new UserActor.Disconnect("phone", phone.ref()));
    alice.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aRenewalAfterARestartDecidesAgainFromTheStoredMembership() {
    var bob = spawn();
    bobWrites(bob, "g.one", "alice", "bob");
    TestProbe<DeviceEvent> alice = harness.testKit.createTestProbe();
    bob.tell(new UserActor.SubscribePresence("alice", alice.ref()));
    assertFalse(((DeviceEvent.Presence) alice.receiveMessage()).online());
    bob = restart(bob);
    groupChanged(bob, "g.one", "bob");
    bob.tell(new UserActor.RenewPresence("alice", alice.ref()));
    assertEquals(new DeviceEvent.PresenceHidden("bob"), alice.receiveMessage());
    connect(bob, "phone", 0);
    alice.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aHiddenSubscriptionShowsThePresenceOnceTheWatchedUserAnswers() {
    var bob = spawn();
    connect(bob, "phone", 0);
    TestProbe<DeviceEvent> alice = harness.testKit.createTestProbe();
    bob.tell(new UserActor.SubscribePresence("alice", alice.ref()));
    assertEquals(new DeviceEvent.PresenceHidden("bob"), alice.receiveMessage());
    // Alice's unsolicited message stores the conversation, and its members, in bob's inbox: still hidden.
    bob.tell(new UserActor.Deliver(INFO, 0, List.of(message(1, "alice"))));
    harness.conversationProbe(CONVERSATION).expectMessageClass(ConversationActor.HandedOff.class);
    bob.tell(new UserActor.RenewPresence("alice", alice.ref()));
    bob.tell(new UserActor.SubscribePresence("alice", alice.ref()));
    assertEquals(new DeviceEvent.PresenceHidden("bob"), alice.receiveMessage());
    alice.expectNoMessage(Duration.ofMillis(200));
    // Bob answers: from then on alice sees him.
    bob.tell(new UserActor.Deliver(INFO, 1, List.of(message(2, "bob"))));
    assertTrue(((DeviceEvent.Presence) alice.receiveMessage()).online());
    bob.tell(new UserActor.RenewPresence("alice", alice.ref()));
    alice.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aWatchedUserPassivatesAndItsSubscribersAreBackWhenItsDevicesConnect() {
    var bob = spawn();
    shareAConversationWithAlice(bob);
    TestProbe<DeviceEvent> alice = harness.testKit.createTestProbe();
    PresenceNotices.get(harness.testKit.system()).watch("alice", alice.ref(), List.of("bob"));
    bob.tell(new UserActor.SubscribePresence("alice", alice.ref()));
    assertFalse(((DeviceEvent.Presence) alice.receiveMessage()).online());
    // Watched, bob's entity still passivates once idle: the subscription does not pin it.
    pass(settings.passivateAfterIdle().plusSeconds(1));
    pass(settings.passivateAfterIdle().dividedBy(4));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    bob = restart(bob);
    // His phone wakes it: every node hears, and alice's node renews her subscription.
    connect(bob, "phone", 0);
    assertTrue(((DeviceEvent.Presence) alice.receiveMessage()).online());
    alice.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aUsersConnectionsWatchBoundedlyManyUsersInAll() {
    settings = new UserSettings(settings.pendingMaxItems(), settings.pendingIdBytes(), settings.deviceInactiveAfter(),
        settings.maxDevices(), settings.inboxMaxEntries(), settings.inboxMemberBytes(), settings.passivateAfterIdle(),
        settings.snapshotEvery(), settings.lazyAckDelay(), settings.ackSyncWait(), settings.pushGatherDelay(),
        settings.pushCoalesceWindow(), settings.maxConnectedDevices(), settings.maxNewDevicesPerDay(), 5);
    var bob = spawn();
    var phone = connect(bob, "phone", 0);
    var laptop = connect(bob, "laptop", 0);
    TestProbe<Outcome<Done>> answer = harness.testKit.createTestProbe();
    bob.tell(new UserActor.WatchPresence(phone.ref(), java.util.Set.of("a", "b", "c"), answer.ref()));
    assertTrue(answer.receiveMessage().isOk());
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("c", "d"), answer.ref()));
    assertTrue(answer.receiveMessage().isOk());
    // Six users in all: refused whole, with the bound named; the laptop still watches c and d.
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("c", "d", "e", "f"), answer.ref()));
    Outcome<Done> refused = answer.receiveMessage();
    assertEquals(Outcome.Reason.BAD_REQUEST, refused.reason());
    assertTrue(refused.message().contains("at most 5 users"), refused.message());
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("c", "d", "e"), answer.ref()));
    assertTrue(answer.receiveMessage().isOk());
    // The phone's subscriptions go with its connection.
    bob.tell(new UserActor.Disconnect("phone", phone.ref()));
    sync(bob);
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("c", "d", "e", "f", "g"), answer.ref()));
    assertTrue(answer.receiveMessage().isOk());
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("c", "d", "e", "f", "g", "h"), answer.ref()));
    assertFalse(answer.receiveMessage().isOk());
  }

  // ------------------------------------------------------------------------ rate allowances

  private UserActor.AllowanceLease lease(ActorRef<UserActor.Command> user, int wanted) {
    TestProbe<UserActor.AllowanceLease> reply = harness.testKit.createTestProbe();
    user.tell(new UserActor.LeaseAllowance(AllowanceKind.MESSAGES, wanted, 60, 5, reply.ref()));
    return reply.receiveMessage();
  }

  @Test
  void leasesComeOutOfOneBucketWhoeverAsks() {
    var bob = spawn();
    // 5 at most, refilled at one a second; each node asks for 2 at a time.
    assertEquals(new UserActor.AllowanceLease(2, 0), lease(bob, 2));
    assertEquals(new UserActor.AllowanceLease(2, 0), lease(bob, 2));
    assertEquals(new UserActor.AllowanceLease(1, 0), lease(bob, 2), "what is left");
    assertEquals(new UserActor.AllowanceLease(0, 1000), lease(bob, 2), "empty: a token in a second");
    harness.clock.advance(Duration.ofMillis(400));
    assertEquals(new UserActor.AllowanceLease(0, 600), lease(bob, 2));
    harness.clock.advance(Duration.ofMillis(2600));
    assertEquals(new UserActor.AllowanceLease(2, 0), lease(bob, 2), "refilled at the configured rate");
    harness.clock.advance(Duration.ofMinutes(10));
    assertEquals(new UserActor.AllowanceLease(2, 0), lease(bob, 2));
    assertEquals(new UserActor.AllowanceLease(2, 0), lease(bob, 2));
    assertEquals(new UserActor.AllowanceLease(1, 0), lease(bob, 2), "never more than the burst");
  }

  @Test
  void aUserDoesNotPassivateWhileABucketRefills() {
    var bob = spawn();
    TestProbe<UserActor.AllowanceLease> reply = harness.testKit.createTestProbe();
    // All 5 at one a minute: the bucket is full again in 5 minutes, and forgetting it before would refill it.
    bob.tell(new UserActor.LeaseAllowance(AllowanceKind.TYPING, 5, 1, 5, reply.ref()));
    assertEquals(5, reply.receiveMessage().granted());
    pass(settings.passivateAfterIdle().plusSeconds(1));
    shard.expectNoMessage(Duration.ofMillis(200));
    pass(Duration.ofMinutes(3));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  // ---------------------------------------------------------------------------------- push

  private static final PushToken IPHONE = new PushToken("apns", "a1b2");
  private static final PushToken PIXEL = new PushToken("fcm", "fcm-token-1");

  private void registerTokens(ActorRef<UserActor.Command> user, PushToken... tokens) {
    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    for (PushToken token : tokens) {
      user.tell(new UserActor.RegisterPushToken(token, done.ref()));
      assertTrue(done.receiveMessage().isOk());
    }
  }

  /** Moves both the timers and the clock the UserActor reads. */
  private void pass(Duration duration) {
    harness.clock.advance(duration);
    time.timePasses(duration);
  }

  /** Returns once the user has handled everything sent to it before, timers that fired included. */
  private void settled(ActorRef<UserActor.Command> user) {
    TestProbe<UserActor.PendingPage> page = harness.testKit.createTestProbe();
    user.tell(new UserActor.GetPending(0, 1, page.ref()));
    page.receiveMessage();
  }

  private PushNotification nextPush() throws InterruptedException {
    PushNotification push = pushes.poll(5, TimeUnit.SECONDS);
    assertNotNull(push, "no push");
    return push;
  }

  /** After {@code duration} no push has gone out. */
  private void noPushDuring(ActorRef<UserActor.Command> user, Duration duration) {
    pass(duration);
    settled(user);
    assertNull(pushes.peek(), () -> "unexpected push " + pushes.peek());
  }

  @Test
  void anOfflineUserGetsOnePushPerTokenForABurstCarryingTheNewestSeqAndBadge() throws Exception {
    var bob = spawn();
    registerTokens(bob, IPHONE, PIXEL);
    for (long seq = 1; seq <= 100; seq += 10) {
      bob.tell(new UserActor.Deliver(INFO, 0, messages(seq, seq + 9, "alice")));
    }
    for (int i = 0; i < 10; i++) {
      handedOff();
    }
    settled(bob);
    noPushDuring(bob, Duration.ofMillis(199));
    pass(Duration.ofMillis(1));
    Map<String, PushNotification> byPlatform = new HashMap<>();
    for (int i = 0; i < 2; i++) {
      PushNotification push = nextPush();
      byPlatform.put(push.platform(), push);
    }
    assertEquals(new PushNotification("bob", "apns", "a1b2", CONVERSATION, 100, "alice", 100), byPlatform.get("apns"));
    assertEquals(new PushNotification("bob", "fcm", "fcm-token-1", CONVERSATION, 100, "alice", 100), byPlatform.get("fcm"));
    noPushDuring(bob, Duration.ofMillis(1500));
  }

  @Test
  void noPushForAConnectedUserOrForTheirOwnMessages() {
    var bob = spawn();
    registerTokens(bob, IPHONE);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 2, "bob")));
    assertEquals(2, handedOff()); // stored before the phone connects
    var phone = connect(bob, "phone", 0);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(3, 4, "alice")));
    assertEquals(3, ((DeviceEvent.MsgNew) phone.receiveMessage()).message().seq());
    noPushDuring(bob, Duration.ofMillis(600));
  }

  @Test
  void reconnectingCancelsTheWaitingPush() {
    var bob = spawn();
    registerTokens(bob, IPHONE);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 1, "alice")));
    assertEquals(1, handedOff());
    connect(bob, "phone", 0);
    noPushDuring(bob, Duration.ofMillis(600));
  }

  @Test
  void afterAPushTheConversationWaitsForTheWindowAndThenSendsTheNewest() throws Exception {
    var bob = spawn();
    registerTokens(bob, IPHONE);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 1, "alice")));
    assertEquals(1, handedOff());
    settled(bob);
    pass(Duration.ofMillis(200));
    assertEquals(1, nextPush().seq());
    bob.tell(new UserActor.Deliver(INFO, 0, messages(2, 2, "alice")));
    bob.tell(new UserActor.Deliver(INFO, 0, messages(3, 3, "alice")));
    handedOff();
    handedOff();
    settled(bob);
    noPushDuring(bob, Duration.ofMillis(999));
    pass(Duration.ofMillis(1));
    PushNotification second = nextPush();
    assertEquals(3, second.seq());
    assertEquals(3, second.badge());
  }
}
