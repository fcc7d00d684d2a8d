package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.EventBatches;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.Test;

/** A user's devices ({@link DeviceConnections}): connections, caps on devices, and devices away too long. */
class UserDevicesTest extends UserFixture {
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
    // 30 days are dropped; history keeps them). It resumes after its own ack (none), so that its
    // re-delivery, which starts at 3, tells it that 1 and 2 are gone (pending_dropped).
    harness.clock.advance(Duration.ofDays(11));
    connect(bob, "phone", 0);
    assertEquals(List.of(3L), pendingCursors(bob, 0));
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

  /**
   * PROTOCOL.md (pending_dropped): a device forgotten beyond the device limit or as inactive is told
   * of the items it never acked that are gone. One forgotten while disconnected came back as a new
   * device, at the oldest item held, and its re-delivery skipped what it missed without a word.
   */
  @Test
  void aForgottenDeviceThatComesBackResumesAfterItsOwnAckSoItIsToldWhatItMissed() {
    settings = new UserSettings(settings.pendingMaxItems(), settings.pendingIdBytes(), settings.deviceInactiveAfter(), 2,
        settings.inboxMaxEntries(), settings.inboxMemberBytes(), settings.passivateAfterIdle(), settings.snapshotEvery(),
        settings.lazyAckDelay(), settings.ackSyncWait(),
        settings.pushGatherDelay(), settings.pushCoalesceWindow());
    var bob = spawn();
    var oldTab = connect(bob, "old-tab", 0);
    bob.tell(new UserActor.Disconnect("old-tab", oldTab.ref()));
    sync(bob);
    harness.clock.advance(Duration.ofMinutes(1));
    connect(bob, "phone", 0);
    deliver(bob, "g.devices", 4);
    ack(bob, "phone", 4);
    harness.clock.advance(Duration.ofMinutes(1));
    connect(bob, "laptop", 0); // the old tab is forgotten
    ack(bob, "laptop", 4);
    deliver(bob, "g.later", 1);
    assertEquals(List.of(5L), pendingCursors(bob, 0));

    // Its re-delivery starts after its own ack (none): item 5 comes after a gap, told as pending_dropped.
    connect(bob, "old-tab", 0);
  }
}
