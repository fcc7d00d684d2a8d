package io.parley.bench;

import java.time.Duration;

/** {@code pairs}: closed loop, --window messages in flight per sender, over --pairs direct conversations. */
final class PairsScenario implements Scenario {
  private final int pairs;
  private final int window;
  private final Duration warmup;
  private final Duration duration;

  PairsScenario(BenchOptions options) {
    pairs = options.integer("pairs", 10);
    window = Math.max(1, options.integer("window", 10));
    warmup = Duration.ofSeconds(options.number("warmup-s", 5));
    duration = Duration.ofSeconds(options.number("duration-s", 30));
  }

  @Override
  public Report run(BenchContext ctx) throws InterruptedException {
    return DirectPairs.run(ctx, pairs, new Traffic.Pacing(window, 0, window), warmup, duration);
  }
}
