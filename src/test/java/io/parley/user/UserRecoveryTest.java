package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.conversation.ConversationInfo;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.Test;

/** Recovery: a user rebuilt from its journal, after a failed write or under other limits, has the state it stored. */
class UserRecoveryTest extends UserFixture {
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

  /** The configured settings with other limits, and no snapshots: recovery replays every event. */
  private UserSettings withLimits(int pendingMaxItems, int pendingIdBytes, Duration deviceInactiveAfter,
      int inboxMaxEntries) {
    return new UserSettings(pendingMaxItems, pendingIdBytes, deviceInactiveAfter, settings.maxDevices(), inboxMaxEntries,
        settings.inboxMemberBytes(), settings.passivateAfterIdle(),
        1_000_000, settings.lazyAckDelay(), settings.ackSyncWait(), settings.pushGatherDelay(), settings.pushCoalesceWindow());
  }
}
