package io.parley.user;

import static io.parley.testing.EntityHarness.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/** Presence ({@link PresenceWatchers}, {@link PresenceNotices}): who may watch a user and what subscribers hear. */
class UserPresenceTest extends UserFixture {
  /** Bob has written to alice: she is his contact, as his inbox records it. */
  private void shareAConversationWithAlice(ActorRef<UserActor.Command> bob) {
    bobWrites(bob, CONVERSATION, "alice", "bob");
  }

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

  /**
   * A device may watch its own user's presence. Its connection is already watched as a device,
   * with the message that disconnects it, and an actor is watched with one message only: the
   * entity crashed when the subscription watched it again, and an unsubscription must not end the
   * device's watch.
   */
  @Test
  void aDeviceMayWatchItsOwnUsersPresenceAndIsStillDisconnectedWhenItsConnectionStops() {
    var bob = spawn();
    shareAConversationWithAlice(bob);
    TestProbe<DeviceEvent> alice = harness.testKit.createTestProbe();
    bob.tell(new UserActor.SubscribePresence("alice", alice.ref()));
    assertFalse(((DeviceEvent.Presence) alice.receiveMessage()).online());

    var phone = connect(bob, "phone", 0);
    bob.tell(new UserActor.SubscribePresence("bob", phone.ref()));
    assertTrue(phone.expectMessageClass(DeviceEvent.Presence.class).online());
    // A connection may subscribe before its device is registered, too.
    TestProbe<DeviceEvent> tablet = harness.testKit.createTestProbe();
    bob.tell(new UserActor.SubscribePresence("bob", tablet.ref()));
    assertTrue(tablet.expectMessageClass(DeviceEvent.Presence.class).online());
    TestProbe<UserActor.Connected> connected = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Connect("tablet", tablet.ref(), connected.ref()));
    connected.receiveMessage();
    bob.tell(new UserActor.Disconnect("tablet", tablet.ref()));

    bob.tell(new UserActor.UnsubscribePresence(phone.ref()));
    phone.stop();
    alice.fishForMessage(Duration.ofSeconds(3), event -> event instanceof DeviceEvent.Presence p && !p.online()
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
  }

  /**
   * A connection of the user's own that watches their presence and stops as no device (never
   * registered, or its subscription came after its disconnect) leaves the subscribers, as anyone
   * else's does: it stayed, told every change, for as long as another device kept the entity
   * running, so that a client reconnecting in a loop grew the entity without bound.
   */
  @Test
  void aConnectionOfTheUsersOwnThatStopsAsNoDeviceStopsWatchingTheirPresence() {
    var bob = spawn();
    var phone = connect(bob, "phone", 0);
    TestProbe<DeviceEvent> tablet = harness.testKit.createTestProbe();
    bob.tell(new UserActor.SubscribePresence("bob", tablet.ref()));
    assertTrue(tablet.expectMessageClass(DeviceEvent.Presence.class).online());
    var laptop = connect(bob, "laptop", 0);
    bob.tell(new UserActor.Disconnect("laptop", laptop.ref()));
    sync(bob);
    bob.tell(new UserActor.SubscribePresence("bob", laptop.ref())); // sent before its disconnect, come after
    assertTrue(laptop.expectMessageClass(DeviceEvent.Presence.class).online());
    TestProbe<DeadLetter> deadLetters = harness.testKit.createTestProbe();
    harness.testKit.system().eventStream().tell(new EventStream.Subscribe<>(DeadLetter.class, deadLetters.ref()));
    for (TestProbe<DeviceEvent> stopped : List.of(tablet, laptop)) {
      stopped.stop();
      harness.testKit.createTestProbe().expectTerminated(stopped.ref());
    }
    sync(bob);
    sync(bob); // the unsubscriptions their watches brought are handled

    bob.tell(new UserActor.Disconnect("phone", phone.ref())); // bob goes offline: his subscribers are told
    sync(bob);
    List<String> toldWhenStopped = received(deadLetters, Duration.ofMillis(300)).stream()
        .filter(letter -> letter.message() instanceof DeviceEvent.Presence)
        .map(letter -> letter.recipient().path().name())
        .toList();
    assertEquals(List.of(), toldWhenStopped);
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

  /** A node that fails stores no disconnect: the user was last seen when a device was last stored. */
  @Test
  void aUserWhoseNodeFailedWasLastSeenAtTheirDevicesLastStoredActivity() {
    var bob = spawn();
    shareAConversationWithAlice(bob);
    harness.clock.advance(Duration.ofMinutes(5));
    connect(bob, "phone", 0);
    long connectedAt = harness.clock.millis();
    harness.clock.advance(Duration.ofMinutes(5));
    bob = restart(bob); // the device's node is gone: no disconnect was stored
    TestProbe<DeviceEvent> subscriber = harness.testKit.createTestProbe();
    bob.tell(new UserActor.SubscribePresence("alice", subscriber.ref()));
    var offline = (DeviceEvent.Presence) subscriber.receiveMessage();
    assertFalse(offline.online());
    assertEquals(connectedAt, offline.lastSeen(), "not 0, which a client shows as 1970");
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

  /**
   * A subscription repeated (a client subscribing again to whom it watches) is answered again,
   * and keeps the watched user's entity no longer than the first: each one counted as activity
   * of the user's, so that watchers kept entities running that no device of theirs used.
   */
  @Test
  void aRepeatedSubscriptionDoesNotKeepTheWatchedUsersEntityRunning() {
    var bob = spawn();
    shareAConversationWithAlice(bob);
    TestProbe<DeviceEvent> alice = harness.testKit.createTestProbe();
    bob.tell(new UserActor.SubscribePresence("alice", alice.ref()));
    assertFalse(((DeviceEvent.Presence) alice.receiveMessage()).online());
    pass(settings.passivateAfterIdle().dividedBy(2));
    bob.tell(new UserActor.SubscribePresence("alice", alice.ref()));
    assertFalse(((DeviceEvent.Presence) alice.receiveMessage()).online());

    pass(settings.passivateAfterIdle().dividedBy(2).plusSeconds(1));
    pass(settings.passivateAfterIdle().dividedBy(4));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
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
    bob.tell(new UserActor.WatchPresence(phone.ref(), java.util.Set.of("a", "b", "c"), answer.ref(), null));
    assertTrue(answer.receiveMessage().isOk());
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("c", "d"), answer.ref(), null));
    assertTrue(answer.receiveMessage().isOk());
    // Six users in all: refused whole, with the bound named; the laptop still watches c and d.
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("c", "d", "e", "f"), answer.ref(), null));
    Outcome<Done> refused = answer.receiveMessage();
    assertEquals(Outcome.Reason.BAD_REQUEST, refused.reason());
    assertTrue(refused.message().contains("at most 5 users"), refused.message());
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("c", "d", "e"), answer.ref(), null));
    assertTrue(answer.receiveMessage().isOk());
    // The phone's subscriptions go with its connection.
    bob.tell(new UserActor.Disconnect("phone", phone.ref()));
    sync(bob);
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("c", "d", "e", "f", "g"), answer.ref(), null));
    assertTrue(answer.receiveMessage().isOk());
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("c", "d", "e", "f", "g", "h"), answer.ref(), null));
    assertFalse(answer.receiveMessage().isOk());
  }

  /**
   * Users a connection newly watches are counted against the user's allowance, however they are
   * batched into frames: a client unsubscribing and subscribing again (or to others) woke a
   * user's entity with each id, bounded only by its frames.
   */
  @Test
  void theUsersAConnectionNewlyWatchesAreCountedAndThosePastTheAllowanceRefusedWhole() {
    var bob = spawn();
    var phone = connect(bob, "phone", 0);
    var laptop = connect(bob, "laptop", 0);
    var allowance = new UserActor.WatchAllowance(60, 4); // a user a second
    TestProbe<Outcome<Done>> answer = harness.testKit.createTestProbe();
    bob.tell(new UserActor.WatchPresence(phone.ref(), java.util.Set.of("a", "b", "c"), answer.ref(), allowance));
    assertTrue(answer.receiveMessage().isOk());
    // Users the connection watches already cost nothing again.
    bob.tell(new UserActor.WatchPresence(phone.ref(), java.util.Set.of("a", "b", "c", "d"), answer.ref(), allowance));
    assertTrue(answer.receiveMessage().isOk());
    // The burst is spent: another connection's two new users are refused whole, with the wait for both.
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("e", "f"), answer.ref(), allowance));
    Outcome<Done> refused = answer.receiveMessage();
    assertEquals(Outcome.Reason.RATE_LIMITED, refused.reason());
    assertEquals(2_000L, refused.retryAfterMs());
    // Users dropped and watched again lately cost nothing (see the test below); new ones still count.
    bob.tell(new UserActor.WatchPresence(phone.ref(), java.util.Set.of(), null, null));
    pass(Duration.ofSeconds(1));
    bob.tell(new UserActor.WatchPresence(phone.ref(), java.util.Set.of("a", "b", "c", "d", "g"), answer.ref(), allowance));
    assertTrue(answer.receiveMessage().isOk());
    bob.tell(new UserActor.WatchPresence(phone.ref(), java.util.Set.of("a", "b", "c", "d", "g", "h"), answer.ref(), allowance));
    assertEquals(1_000L, answer.receiveMessage().retryAfterMs());
    // The refused frames changed nothing: all three of the laptop's users are new to it.
    pass(Duration.ofSeconds(2));
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("e", "f", "i"), answer.ref(), allowance));
    assertEquals(1_000L, answer.receiveMessage().retryAfterMs());
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("e", "f"), answer.ref(), allowance));
    assertTrue(answer.receiveMessage().isOk());
    // A restore (the connection's set after its own entity restarted) is not counted, nor what it restored.
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("e", "f", "i"), null, null));
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of("e", "f", "i"), answer.ref(), allowance));
    assertTrue(answer.receiveMessage().isOk());
    // A node of an earlier version sends no allowance and reads no RATE_LIMITED: its frames are not counted.
    bob.tell(new UserActor.WatchPresence(phone.ref(), java.util.Set.of("a", "g", "h"), answer.ref(), null));
    assertTrue(answer.receiveMessage().isOk());
  }

  /**
   * A mobile client that reconnects watches its contacts again at once: users another connection
   * of the user watches, or one watched within {@link PresenceBudget#RECENTLY}, cost nothing again.
   * Each reconnect paid for the whole contact list, so two within minutes got presence refused.
   */
  @Test
  void usersWatchedNowOrLatelyByTheUsersConnectionsAreNotCountedAgain() {
    var bob = spawn();
    var allowance = new UserActor.WatchAllowance(300, 1000);
    java.util.Set<String> contacts = ids("contact", 1000);
    TestProbe<Outcome<Done>> answer = harness.testKit.createTestProbe();
    var phone = connect(bob, "phone", 0);
    bob.tell(new UserActor.WatchPresence(phone.ref(), contacts, answer.ref(), allowance));
    assertEquals(Outcome.ok(Done.INSTANCE), answer.receiveMessage()); // the burst is spent
    // The network drops: the phone's next connection replaces the last and watches them all again.
    var again = connect(bob, "phone", 0);
    bob.tell(new UserActor.WatchPresence(again.ref(), contacts, answer.ref(), allowance));
    assertEquals(Outcome.ok(Done.INSTANCE), answer.receiveMessage());
    // A second device watching them too costs nothing while the phone watches them.
    var laptop = connect(bob, "laptop", 0);
    bob.tell(new UserActor.WatchPresence(laptop.ref(), contacts, answer.ref(), allowance));
    assertEquals(Outcome.ok(Done.INSTANCE), answer.receiveMessage());
    // Both connections die, one after unsubscribing first; a minute later the phone is back.
    bob.tell(new UserActor.WatchPresence(laptop.ref(), java.util.Set.of(), answer.ref(), allowance));
    assertEquals(Outcome.ok(Done.INSTANCE), answer.receiveMessage());
    bob.tell(new UserActor.Disconnect("laptop", laptop.ref()));
    bob.tell(new UserActor.Disconnect("phone", again.ref()));
    pass(Duration.ofMinutes(1));
    var third = connect(bob, "phone", 0);
    bob.tell(new UserActor.WatchPresence(third.ref(), contacts, answer.ref(), allowance));
    assertEquals(Outcome.ok(Done.INSTANCE), answer.receiveMessage());
    // Users new to all of them still count: the minute's 300 tokens hold 300 of them, not 301.
    java.util.Set<String> more = new java.util.HashSet<>(contacts);
    more.removeAll(ids("contact", 301));
    more.addAll(ids("new", 301));
    bob.tell(new UserActor.WatchPresence(third.ref(), more, answer.ref(), allowance));
    assertEquals(Outcome.Reason.RATE_LIMITED, answer.receiveMessage().reason());
    // Past the window, users no connection watched since count again (the bucket has refilled by then).
    bob.tell(new UserActor.WatchPresence(third.ref(), ids("new", 250), answer.ref(), allowance));
    assertEquals(Outcome.ok(Done.INSTANCE), answer.receiveMessage());
    pass(PresenceBudget.RECENTLY.plusMinutes(1));
    bob.tell(new UserActor.WatchPresence(third.ref(), ids("later", 1000), answer.ref(), allowance));
    assertEquals(Outcome.ok(Done.INSTANCE), answer.receiveMessage());
    bob.tell(new UserActor.WatchPresence(third.ref(), contacts, answer.ref(), allowance));
    assertEquals(Outcome.Reason.RATE_LIMITED, answer.receiveMessage().reason());
  }

  private static java.util.Set<String> ids(String prefix, int count) {
    return java.util.stream.IntStream.range(0, count).mapToObj(i -> prefix + i)
        .collect(java.util.stream.Collectors.toSet());
  }

  /**
   * A rolling update: a subscription from a node of an earlier version (no allowance) reads, as
   * not counted; an answer that is not a refusal for the limit is written as before.
   */
  @Test
  void aSubscriptionAndAnAnswerReadAcrossVersions() {
    TestProbe<Outcome<Done>> answer = harness.testKit.createTestProbe();
    TestProbe<DeviceEvent> connection = harness.testKit.createTestProbe();
    String now = harness.storedJson(new UserActor.WatchPresence(connection.ref(), java.util.Set.of("a"), answer.ref(),
        new UserActor.WatchAllowance(300, 1000)));
    String earlier = now.replaceAll(",?\"allowance\":\\{[^}]*}", "");
    assertFalse(earlier.contains("allowance"), earlier);
    var read = (UserActor.WatchPresence) harness.readStored(UserActor.WatchPresence.class.getName(), earlier);
    assertEquals(java.util.Set.of("a"), read.userIds());
    assertEquals(null, read.allowance());

    String ok = harness.storedJson(Outcome.ok(Done.INSTANCE));
    String refused = harness.storedJson(Outcome.rejected(Outcome.Reason.BAD_REQUEST, "at most 1000"));
    assertFalse(ok.contains("retryAfterMs") || refused.contains("retryAfterMs"), ok + refused);
    var limited = (Outcome<?>) harness.readStored(Outcome.class.getName(),
        harness.storedJson(Outcome.rateLimited("slow down", 2500)));
    assertEquals(2500L, limited.retryAfterMs());
  }
}
