package io.parley.store.engine;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator when the writer cannot commit (a full disk, an I/O error) and when it
 * commits again. Every write is refused while it lasts, and clients retry them, so one line a
 * minute says it rather than one per write.
 */
final class CommitFailures {
  private static final Logger log = LoggerFactory.getLogger(CommitFailures.class);
  private static final long EVERY_NANOS = 60_000_000_000L;

  private final LongSupplier nanoTime;
  private long failedGroups;
  private long failedWrites;
  private long lastToldNanos;
  private boolean told;

  CommitFailures() {
    this(System::nanoTime);
  }

  CommitFailures(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** A group of {@code writes} was refused whole because it could not be committed; whether that was told. */
  boolean failed(int writes, Throwable cause) {
    failedGroups++;
    failedWrites += writes;
    long now = nanoTime.getAsLong();
    if (!told || now - lastToldNanos >= EVERY_NANOS) {
      log.error("The store cannot commit, so it refuses every write until it can (refused so far: {};"
          + " after a full disk, writes go on once space is freed): {}", failedWrites, cause.getMessage());
      told = true;
      lastToldNanos = now;
      return true;
    }
    return false;
  }

  /** A group was committed; whether that ended a run of failures (and was told). */
  boolean committed() {
    if (failedGroups > 0) {
      log.info("The store commits again (writes refused meanwhile: {}, in {} transactions)", failedWrites, failedGroups);
      failedGroups = 0;
      failedWrites = 0;
      told = false;
      return true;
    }
    return false;
  }
}
