package io.parley.bench;

import java.time.Duration;

/**
 * The measured part of a load run: warm-up, then either a fixed measured period followed by a
 * drain (stop sending, wait for what is owed), or, given no duration, until every message is sent
 * and delivered. Server stats are read at the edges of the measured period.
 */
final class SteadyRun {
  private SteadyRun() {}

  static Report run(BenchContext ctx, Traffic traffic, DeliveryTracker tracker, Duration warmup, Duration duration)
      throws InterruptedException {
    ServerStats.Snapshot before;
    long sentBefore;
    if (warmup.isZero()) {
      // Measure from the very first send (count mode sends a fixed number, all of which count).
      before = ctx.stats.take();
      sentBefore = 0;
      tracker.startMeasuring(System.nanoTime());
      traffic.start();
    } else {
      traffic.start();
      Thread.sleep(warmup.toMillis());
      before = ctx.stats.take();
      sentBefore = traffic.sent();
      tracker.startMeasuring(System.nanoTime());
    }
    ServerStats.Snapshot after;
    long sentBetween;
    boolean drained;
    if (duration != null) {
      Thread.sleep(duration.toMillis());
      tracker.stopMeasuring(System.nanoTime());
      traffic.stop();
      after = ctx.stats.take();
      sentBetween = traffic.sent() - sentBefore;
      drained = ctx.quiet.until(() -> traffic.inFlight() == 0 && tracker.outstanding() == 0, ctx.drain);
    } else {
      // Done when all is sent, acked and delivered; given up only when nothing moves for --drain-s.
      drained = ctx.quiet.untilStalled(
          () -> traffic.allSent() && traffic.inFlight() == 0 && tracker.outstanding() == 0,
          () -> traffic.sent() + tracker.deliveries() - traffic.inFlight(), ctx.drain);
      tracker.stopMeasuring(drained ? tracker.lastDeliveryNanos() + 1 : System.nanoTime());
      traffic.stop();
      after = ctx.stats.take();
      sentBetween = traffic.sent() - sentBefore;
    }
    long msgs = tracker.measuredDeliveries();
    Report report = new Report(ctx)
        .delivered(msgs, tracker.measuredNanos() / 1e9)
        .latency(tracker.latency(), traffic.openLoop() ? "scheduled send->deliver" : "send->deliver")
        .errors(ctx.errors)
        .integrity(tracker.orderViolations(), tracker.lost())
        .server(before, after, msgs)
        .perSentMessage(before, after, sentBetween)
        .put("sent", traffic.sent())
        .put("deliveries_total", tracker.deliveries())
        .put("duplicates", tracker.duplicates())
        .put("retries", traffic.retries())
        .put("abandoned", traffic.abandoned())
        .put("unacked", traffic.inFlight())
        .put("drained", drained);
    if (traffic.openLoop()) {
      report.put("send_backlog_at_stop", traffic.backlog());
    }
    return report;
  }
}
