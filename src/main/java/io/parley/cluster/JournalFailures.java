package io.parley.cluster;

import io.parley.metrics.ParleyMetrics;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator that entities cannot write to or recover from the journal (the store is
 * full or down, DynamoDB throttles past the plugin's retries). Each such entity restarts, backing
 * off, so in an outage hundreds fail a second: one line a minute for the node, with how many
 * failed of each kind and the last cause, says it instead of a stack trace per restart. Each
 * failure is also counted in {@code parley_journal_failures_total}.
 */
public final class JournalFailures {
  /** The node's: every entity's lifecycle reports here. */
  static final JournalFailures NODE = new JournalFailures(System::nanoTime, LoggerFactory.getLogger(JournalFailures.class));

  private static final long EVERY_NANOS = 60_000_000_000L;

  private final LongSupplier nanoTime;
  private final Consumer<String> tell;
  private final Map<String, Long> sinceTold = new TreeMap<>(); // "user write" -> failures since the last line
  private long lastToldNanos;
  private boolean everTold;

  JournalFailures(LongSupplier nanoTime, Logger log) {
    this(nanoTime, line -> log.error(line));
  }

  JournalFailures(LongSupplier nanoTime, Consumer<String> tell) {
    this.nanoTime = nanoTime;
    this.tell = tell;
  }

  /** What failed: the entity's write, or its recovery. */
  enum Kind { WRITE, RECOVERY }

  /** Entity {@code entity} (its id, if known) of {@code entityType} failed to write or recover. */
  void failed(String entityType, String entity, Kind kind, Throwable failure) {
    ParleyMetrics.journalFailure(entityType, kind.name().toLowerCase());
    String line;
    synchronized (this) { // entities fail on any of the node's threads
      sinceTold.merge(entityType + ' ' + kind.name().toLowerCase(), 1L, Long::sum);
      long now = nanoTime.getAsLong();
      if (everTold && now - lastToldNanos < EVERY_NANOS) {
        return;
      }
      line = "Entities cannot use the journal, so each restarts, backing off, and its clients are told to retry"
          + " (failed since the last such line: " + counts() + "). The last: " + entityType + ' ' + entity + ' '
          + kind.name().toLowerCase() + ": " + rootCause(failure);
      sinceTold.clear();
      lastToldNanos = now;
      everTold = true;
    }
    tell.accept(line);
  }

  private String counts() {
    StringBuilder counts = new StringBuilder();
    sinceTold.forEach((what, count) -> counts.append(counts.length() == 0 ? "" : ", ").append(what).append(' ').append(count));
    return counts.toString();
  }

  private static String rootCause(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
