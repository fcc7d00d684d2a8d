package io.parley.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for state outside the JVM's reach (files, a store, another process), which offers nothing to wait on. */
public final class Poll {
  private Poll() {}

  public static void until(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
