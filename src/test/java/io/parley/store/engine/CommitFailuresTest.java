package io.parley.store.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A writer that cannot commit says so at once, then once a minute, and says when it commits again. */
class CommitFailuresTest {
  private long now = 1_000;
  private final CommitFailures failures = new CommitFailures(() -> now);
  private final SQLException full = new SQLException("[SQLITE_FULL] database or disk is full");

  @Test
  void theFirstFailureIsToldThenOneAMinuteAndTheRecoveryOnce() {
    assertFalse(failures.committed(), "nothing to tell while commits succeed");
    assertTrue(failures.failed(3, full), "the first failure is told at once");
    now += TimeUnit.SECONDS.toNanos(59);
    assertFalse(failures.failed(5, full), "not again within the minute");
    now += TimeUnit.SECONDS.toNanos(1);
    assertTrue(failures.failed(1, full), "again a minute after");
    assertTrue(failures.committed(), "the recovery is told");
    assertFalse(failures.committed(), "once");
  }

  /** On a nearly full disk small groups commit between refused ones: two lines a minute at most, not two per group. */
  @Test
  void failuresBetweenCommitsAreToldOnceAMinute() {
    assertTrue(failures.failed(1, full));
    assertTrue(failures.committed());
    now += TimeUnit.MILLISECONDS.toNanos(10);
    assertFalse(failures.failed(1, full), "a failure right after a commit, within the minute");
    assertFalse(failures.committed(), "and the commit after it");
    now += TimeUnit.SECONDS.toNanos(60);
    assertTrue(failures.failed(1, full), "a minute after the last told");
    assertTrue(failures.committed());
  }

  @Test
  void howLongAgoTheLastFailureWasIsKnownCommitsOrNot() {
    assertEquals(OptionalLong.empty(), failures.sinceLastFailure(), "none yet");
    failures.failed(1, full);
    now += TimeUnit.SECONDS.toNanos(3);
    failures.failed(1, full);
    now += TimeUnit.SECONDS.toNanos(2);
    assertEquals(OptionalLong.of(TimeUnit.SECONDS.toNanos(2)), failures.sinceLastFailure(), "from the last one");
    failures.committed();
    now += TimeUnit.SECONDS.toNanos(1);
    assertEquals(OptionalLong.of(TimeUnit.SECONDS.toNanos(3)), failures.sinceLastFailure(), "a commit since does not end it");
  }
}
