package io.parley.bench;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Waits for a condition that other threads make true and announce with {@link #poke()}. Waits are
 * also cut into short slices, so a condition that changes without a poke is still seen promptly.
 */
final class Await {
  private static final long SLICE_MS = 20;

  synchronized void poke() {
    notifyAll();
  }

  /** True once {@code done} holds; false if it did not within {@code timeout}. */
  boolean until(BooleanSupplier done, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      synchronized (this) {
        wait(Math.max(1, Math.min(SLICE_MS, left / 1_000_000)));
      }
    }
    return true;
  }

  /**
   * True once {@code done} holds; false once {@code progress} has stood still for {@code stall}.
   * For waits whose length depends on the load (a large catch-up), not on a fixed budget.
   */
  boolean untilStalled(BooleanSupplier done, LongSupplier progress, Duration stall) throws InterruptedException {
    long seen = progress.getAsLong();
    while (!until(done, stall)) {
      long now = progress.getAsLong();
      if (now == seen) {
        return false;
      }
      seen = now;
    }
    return true;
  }
}
