package io.parley.cluster;

import io.parley.metrics.FailureLog;
import io.parley.metrics.ParleyMetrics;
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
  static final JournalFailures NODE = new JournalFailures(new FailureLog(LoggerFactory.getLogger(JournalFailures.class)::error));

  private final FailureLog log;

  JournalFailures(FailureLog log) {
    this.log = log;
  }

  /** What failed: the entity's write, or its recovery. */
  enum Kind { WRITE, RECOVERY }

  /** Entity {@code entity} (its id, if known) of {@code entityType} failed to write or recover. */
  void failed(String entityType, String entity, Kind kind, Throwable failure) {
    String what = kind.name().toLowerCase();
    ParleyMetrics.journalFailure(entityType, what);
    log.failed(entityType + ' ' + what, counts ->
        "Entities cannot use the journal, so each restarts, backing off, and its clients are told to retry"
            + " (failed since the last such line: " + counts + "). The last: " + entityType + ' ' + entity + ' '
            + what + ": " + FailureLog.rootCause(failure));
  }
}
