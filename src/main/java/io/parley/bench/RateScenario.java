package io.parley.bench;

import java.time.Duration;

/**
 * {@code rate}: open loop, --rate messages a second in total, spread evenly over the senders of
 * --pairs direct conversations; a sender pauses only at --max-in-flight unacked messages.
 */
final class RateScenario implements Scenario {
  private final int pairs;
  private final double rate;
  private final int cap;
  private final Duration warmup;
  private final Duration duration;

  RateScenario(BenchOptions options) {
    pairs = options.integer("pairs", 10);
    rate = options.decimal("rate", 1000);
    cap = Math.max(1, options.integer("max-in-flight", 1000));
    warmup = Duration.ofSeconds(options.number("warmup-s", 5));
    duration = Duration.ofSeconds(options.number("duration-s", 30));
    if (rate <= 0) {
      throw new IllegalArgumentException("--rate must be positive");
    }
  }

  @Override
  public Report run(BenchContext ctx) throws InterruptedException {
    return DirectPairs.run(ctx, pairs, new Traffic.Pacing(0, rate, cap), warmup, duration)
        .put("offered_per_s", rate);
  }
}
