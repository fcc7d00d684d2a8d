package io.parley.store.engine;

import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator when the writer cannot commit (a full disk, an I/O error) and when it
 * commits again. Every write is refused while it lasts, and clients retry them, so one line a
 * minute says it rather than one per write; on a nearly full disk small groups commit between
 * refused ones, so a commit does not restart that minute. Kept on the writer's thread; how long
 * ago the last failure was is read from any.
 */
final class CommitFailures {
  private static final Logger log = LoggerFactory.getLogger(CommitFailures.class);
  private static final long EVERY_NANOS = 60_000_000_000L;

  private final LongSupplier nanoTime;
  private long failedGroups;
  private long failedWrites;
  private long lastToldNanos;
  private boolean toldFailing;
  private boolean everTold;
  private volatile long lastFailedNanos;
  private volatile boolean everFailed;

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
    lastFailedNanos = now;
    everFailed = true;
    if (!everTold || now - lastToldNanos >= EVERY_NANOS) {
      log.error("The store cannot commit, so it refuses every write until it can (refused so far: {};"
          + " after a full disk, writes go on once space is freed): {}", failedWrites, cause.getMessage());
      toldFailing = true;
      everTold = true;
      lastToldNanos = now;
      return true;
    }
    return false;
  }

  /** A group was committed; whether that ended told failures (and was told). */
  boolean committed() {
    if (toldFailing) {
      log.info("The store commits again (writes refused meanwhile: {}, in {} transactions)", failedWrites, failedGroups);
      failedGroups = 0;
      failedWrites = 0;
      toldFailing = false;
      return true;
    }
    return false;
  }

  /** How long ago (nanoseconds) the last group failed; empty if none has. */
  OptionalLong sinceLastFailure() {
    if (!everFailed) { // read first: written after lastFailedNanos, so that one is current when this is set
      return OptionalLong.empty();
    }
    return OptionalLong.of(nanoTime.getAsLong() - lastFailedNanos);
  }
}
