package io.parley.bench;

import java.util.List;

/**
 * {@code offline}: the sender stores --k messages for a receiver that has never connected, then
 * the receiver connects and catches up. Measures the store rate and connect → last msg.new, and
 * checks that every message arrived exactly once and in order.
 */
final class OfflineScenario implements Scenario {
  private final int k;
  private final int window;

  OfflineScenario(BenchOptions options) {
    k = options.integer("k", 1000);
    window = Math.max(1, options.integer("window", 50));
    if (k < 1) {
      throw new IllegalArgumentException("--k must be at least 1");
    }
  }

  @Override
  public Report run(BenchContext ctx) throws InterruptedException {
    String sender = ctx.user("s", 1);
    String receiver = ctx.user("r", 1);
    List<String> tokens = Logins.tokens(ctx, List.of(sender, receiver), 2);
    DeliveryTracker tracker = new DeliveryTracker(ctx.quiet);
    Traffic traffic = new Traffic(ctx, tracker, new Traffic.Pacing(window, 0, window), k);
    BenchClient senderClient = Logins.connectAll(ctx, List.of(sender), tokens.subList(0, 1), traffic).get(0);
    BenchClient receiverClient = null;
    try {
      traffic.addSender(senderClient, DirectPairs.direct(sender, receiver), 1);
      ServerStats.Snapshot before = ctx.stats.take();
      long storeStart = System.nanoTime();
      tracker.startMeasuring(storeStart);
      traffic.start();
      boolean stored = ctx.quiet.untilStalled(() -> traffic.allSent() && traffic.inFlight() == 0,
          () -> traffic.sent() - traffic.inFlight(), ctx.drain);
      double storeSeconds = (System.nanoTime() - storeStart) / 1e9;
      traffic.stop();

      long connectStart = System.nanoTime();
      tracker.deliverableFrom(connectStart);
      receiverClient = Logins.connectAll(ctx, List.of(receiver), tokens.subList(1, 2), traffic).get(0);
      long helloNanos = System.nanoTime() - connectStart;
      boolean caughtUp = ctx.quiet.untilStalled(() -> tracker.outstanding() == 0, tracker::deliveries, ctx.drain);
      tracker.stopMeasuring(System.nanoTime());
      ServerStats.Snapshot after = ctx.stats.take();

      long received = tracker.deliveries();
      double catchUpSeconds = received == 0 ? 0 : (tracker.lastDeliveryNanos() - connectStart) / 1e9;
      boolean exactlyOnce = stored && caughtUp && received == traffic.acked() && received == k
          && tracker.duplicates() == 0 && tracker.orderViolations() == 0 && tracker.lost() == 0;
      return new Report(ctx)
          .delivered(received, catchUpSeconds)
          .latency(tracker.latency(), "receiver connect->deliver")
          .errors(ctx.errors)
          .integrity(tracker.orderViolations(), tracker.lost())
          .server(before, after, received)
          .put("acked", traffic.acked())
          .put("store_seconds", Report.round(storeSeconds, 3))
          .put("store_msgs_per_s", Report.round(traffic.acked() / storeSeconds, 1))
          .put("connect_to_hello_ms", Report.round(helloNanos / 1e6, 2))
          .put("received", received)
          .put("duplicates", tracker.duplicates())
          .put("exactly_once", exactlyOnce);
    } finally {
      DirectPairs.closeAll(receiverClient == null ? List.of(senderClient) : List.of(senderClient, receiverClient));
    }
  }
}
