package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.EntityHarness;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The users stopped watching lately stay bounded: by the window, and by the cap, oldest first. */
class RecentWatchesTest {
  final EntityHarness.ManualClock clock = new EntityHarness.ManualClock();
  final RecentWatches recent = new RecentWatches(clock, Duration.ofMinutes(10), 3);

  @Test
  void usersStoppedBeforeTheWindowAreForgotten() {
    recent.stopped(List.of("a", "b"));
    clock.advance(Duration.ofMinutes(6));
    recent.stopped(List.of("c", "a")); // a stopped again: its time is now
    clock.advance(Duration.ofMinutes(5));
    assertFalse(recent.recent("b"));
    assertTrue(recent.recent("a"));
    assertTrue(recent.recent("c"));
    assertEquals(2, recent.size(), "b is dropped, not only ignored");
    clock.advance(Duration.ofMinutes(5));
    assertFalse(recent.recent("a"));
    assertEquals(0, recent.size());
  }

  @Test
  void pastTheCapTheOldestGoFirst() {
    recent.stopped(List.of("a", "b", "c"));
    clock.advance(Duration.ofSeconds(1));
    recent.stopped(List.of("d"));
    assertEquals(3, recent.size());
    assertFalse(recent.recent("a"));
    assertTrue(recent.recent("b") && recent.recent("c") && recent.recent("d"));
  }
}
