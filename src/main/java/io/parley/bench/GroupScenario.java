package io.parley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code group}: one group of --members users, --online of them connected (the sender among
 * them); the sender sends --messages (closed loop, --window) or, with --rate, sends at that rate
 * for --duration-s. Throughput counts fan-out deliveries to the online members other than the
 * sender; per message, the time to its first and to its last online receiver shows what fan-out
 * costs, and storage per sent message whether that cost grows with the group.
 */
final class GroupScenario implements Scenario {
  private final int members;
  private final int online;
  private final int window;
  private final double rate;
  private final long messages;
  private final Duration warmup;
  private final Duration duration;

  GroupScenario(BenchOptions options) {
    members = options.integer("members", 100);
    online = options.integer("online", 10);
    window = Math.max(1, options.integer("window", 10));
    rate = options.decimal("rate", 0);
    if (rate > 0) {
      messages = Long.MAX_VALUE;
      warmup = Duration.ofSeconds(options.number("warmup-s", 5));
      duration = Duration.ofSeconds(options.number("duration-s", 30));
    } else {
      messages = options.number("messages", 1000);
      warmup = Duration.ZERO;
      duration = null;
    }
    if (members < 2 || online < 1 || online > members) {
      throw new IllegalArgumentException("need --members >= 2 and 1 <= --online <= --members");
    }
  }

  @Override
  public Report run(BenchContext ctx) throws InterruptedException {
    List<String> users = new ArrayList<>(members);
    for (int i = 1; i <= members; i++) {
      users.add(ctx.user("g", i));
    }
    List<String> connected = users.subList(0, online);
    List<String> tokens = Logins.tokens(ctx, connected, ctx.inFlight);
    GroupSetup.Built built = GroupSetup.build(ctx.api, tokens.get(0), "bench " + ctx.runId, users.subList(1, members));
    String group = built.conversationId();
    DeliveryTracker tracker = new DeliveryTracker(ctx.quiet);
    Traffic.Pacing pacing = rate > 0 ? new Traffic.Pacing(0, rate, 1000) : new Traffic.Pacing(window, 0, window);
    Traffic traffic = new Traffic(ctx, tracker, pacing, messages);
    long connecting = System.nanoTime();
    List<BenchClient> clients = Logins.connectAll(ctx, connected, tokens, traffic);
    long connectNanos = System.nanoTime() - connecting;
    try {
      traffic.addSender(clients.get(0), group, online - 1);
      Report report = SteadyRun.run(ctx, traffic, tracker, warmup, duration);
      report.put("conversation_id", group).put("fanout", online - 1)
          .put("setup_s", Report.round(built.nanos() / 1e9, 3))
          .put("member_pages", built.memberPages())
          .put("setup_retries", ctx.api.retries.sum())
          .put("connect_online_s", Report.round(connectNanos / 1e9, 3));
      report.json.set("first_delivery_ms", tracker.firstDelivery().toJson());
      report.json.set("last_delivery_ms", tracker.lastDelivery().toJson());
      report.put("incomplete", tracker.incomplete());
      report.json.set("dynamodb_requests_per_sent_msg", report.json.path("storage").path("requests_per_sent_msg"));
      report.json.set("dynamodb_items_per_sent_msg", report.json.path("storage").path("items_per_sent_msg"));
      double seconds = report.json.path("seconds").asDouble();
      if (duration == null && seconds > 0) {
        // Count mode measures from the first send, so this is the sender's achieved rate.
        report.put("sent_per_s", Report.round(traffic.sent() / seconds, 1));
      }
      return report;
    } finally {
      DirectPairs.closeAll(clients);
    }
  }
}
