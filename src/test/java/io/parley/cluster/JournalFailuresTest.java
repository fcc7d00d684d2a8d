package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.metrics.FailureLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** An outage fails hundreds of entities a second: the operator reads one line a minute with the counts. */
class JournalFailuresTest {
  final AtomicLong nanos = new AtomicLong(1_000);
  final List<String> lines = new ArrayList<>();
  final JournalFailures failures = new JournalFailures(new FailureLog(nanos::get, lines::add));

  @Test
  void theFirstFailureIsToldAtOnceWithWhatFailedAndTheJournalsOwnCause() {
    failures.failed("user", "u7", JournalFailures.Kind.WRITE, journalFailure("database or disk is full"));

    assertEquals(1, lines.size());
    String line = lines.get(0);
    assertTrue(line.contains("user write 1"), line);
    assertTrue(line.contains("user u7 write"), "names the entity: " + line);
    assertTrue(line.contains("IllegalStateException: database or disk is full"), "the root cause: " + line);
  }

  @Test
  void laterFailuresWithinTheMinuteAreCountedAndToldWithTheNextLine() {
    failures.failed("user", "u1", JournalFailures.Kind.WRITE, journalFailure("full"));
    for (int i = 0; i < 300; i++) {
      nanos.addAndGet(100_000_000); // 30 s in all
      failures.failed(i % 3 == 0 ? "user" : "conversation", "e" + i, JournalFailures.Kind.WRITE, journalFailure("full"));
    }
    failures.failed("conversation", "c", JournalFailures.Kind.RECOVERY, journalFailure("full"));
    assertEquals(1, lines.size(), "one line in the first minute: " + lines);

    nanos.addAndGet(30_000_000_000L);
    failures.failed("user", "u2", JournalFailures.Kind.WRITE, journalFailure("still full"));

    assertEquals(2, lines.size());
    String line = lines.get(1);
    assertTrue(line.contains("conversation recovery 1, conversation write 200, user write 101"), line);
    assertTrue(line.contains("still full"), "the last cause: " + line);
  }

  @Test
  void aFailureAfterAQuietMinuteIsToldAtOnce() {
    failures.failed("media", "m1", JournalFailures.Kind.WRITE, journalFailure("full"));
    nanos.addAndGet(61_000_000_000L);
    failures.failed("media", "m2", JournalFailures.Kind.RECOVERY, journalFailure("throttled"));

    assertEquals(2, lines.size());
    assertTrue(lines.get(1).contains("media recovery 1") && !lines.get(1).contains("media write"), lines.get(1));
  }

  /** What a journal plugin fails with: its own exception, the store's inside. */
  private static RuntimeException journalFailure(String cause) {
    return new RuntimeException("the journal failed", new IllegalStateException(cause));
  }
}
