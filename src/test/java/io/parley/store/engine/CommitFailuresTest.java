package io.parley.store.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
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
    now += TimeUnit.SECONDS.toNanos(1);
    assertTrue(failures.failed(2, full), "a new run of failures is told at once");
  }
}
