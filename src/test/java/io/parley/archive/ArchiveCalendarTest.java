package io.parley.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.conversation.ConversationActor;
import io.parley.testing.EntityHarness;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The archive calendar's pages and clock on Pekko's persistence testkit. */
class ArchiveCalendarTest {
  EntityHarness harness;
  ArchiveSettings settings;

  @BeforeEach
  void setUp() {
    harness = new EntityHarness("parley.archive { calendar-slot = 400ms, calendar-buckets = 3 }");
    settings = ArchiveSettings.from(harness.config);
  }

  @AfterEach
  void tearDown() {
    harness.shutdown();
  }

  private ActorRef<ArchiveCalendar.Command> page(String id) {
    TestProbe<ClusterSharding.ShardCommand> shard = harness.testKit.createTestProbe();
    return harness.testKit.spawn(ArchiveCalendar.create(id, shard.ref(), harness));
  }

  private void expectWakeUp(String conversationId) {
    var wake = harness.conversationProbe(conversationId).receiveMessage(Duration.ofSeconds(5));
    assertEquals(ConversationActor.WakeUp.class, wake.getClass());
  }

  @Test
  void aFiredPageWakesEachConversationOnItOnceEvenAfterARestart() {
    var page = page("7-1");
    page.tell(new ArchiveCalendar.Remind("g.a"));
    page.tell(new ArchiveCalendar.Remind("g.b"));
    page.tell(new ArchiveCalendar.Remind("g.a"));
    page.tell(ArchiveCalendar.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(page, Duration.ofSeconds(5));

    page = page("7-1"); // the reminders were stored
    page.tell(new ArchiveCalendar.Fire(7));
    expectWakeUp("g.a");
    expectWakeUp("g.b");
    page.tell(new ArchiveCalendar.Fire(7));
    harness.conversationProbe("g.a").expectNoMessage(Duration.ofMillis(200));

    // A reminder reaching a page already fired is due: it wakes at once.
    page.tell(new ArchiveCalendar.Remind("g.c"));
    expectWakeUp("g.c");
  }

  @Test
  void theClockFiresEveryPageOfEachSlotOnceTheSlotHasEnded() {
    var clock = harness.testKit.spawn(ArchiveClock.create(harness, settings, harness.clock));
    long slot = settings.calendarSlot().toMillis();
    long lastEnded = harness.clock.millis() / slot - 1;
    Set<Long> fired = new HashSet<>();
    int firstStart = (ArchiveClock.FIRST_START_LOOKBACK_SLOTS + 1) * settings.calendarBuckets();
    for (int i = 0; i < firstStart; i++) {
      fired.add(((ArchiveCalendar.Fire) harness.archiveCalendarProbe.receiveMessage(Duration.ofSeconds(5))).slot());
    }
    assertEquals(Set.of(lastEnded - 2, lastEnded - 1, lastEnded), fired);
    assertEquals(firstStart, harness.calendarPagesAddressed.stream().distinct().count(), "every page of those slots");
    harness.archiveCalendarProbe.expectNoMessage(Duration.ofMillis(600)); // the manual clock stands still

    harness.clock.advance(Duration.ofMillis(2 * slot));
    Set<Long> next = new HashSet<>();
    for (int i = 0; i < 2 * settings.calendarBuckets(); i++) {
      next.add(((ArchiveCalendar.Fire) harness.archiveCalendarProbe.receiveMessage(Duration.ofSeconds(5))).slot());
    }
    assertEquals(Set.of(lastEnded + 1, lastEnded + 2), next);

    // Restarted (the singleton moving to another node), it goes on from the last slot fired.
    harness.testKit.stop(clock, Duration.ofSeconds(5));
    harness.testKit.spawn(ArchiveClock.create(harness, settings, harness.clock));
    harness.archiveCalendarProbe.expectNoMessage(Duration.ofMillis(600));
    harness.clock.advance(Duration.ofMillis(slot));
    assertEquals(lastEnded + 3,
        ((ArchiveCalendar.Fire) harness.archiveCalendarProbe.receiveMessage(Duration.ofSeconds(5))).slot());
  }
}
