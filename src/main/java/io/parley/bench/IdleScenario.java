package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code idle}: opens --conns authenticated connections (at most --in-flight handshakes at once),
 * holds them --hold-s, pings a sample, closes them. Reports logins/s and, with --server-pid, what a
 * connection costs the server in memory.
 */
final class IdleScenario implements Scenario {
  private final int conns;
  private final Duration hold;
  private final int sample;

  IdleScenario(BenchOptions options) {
    conns = options.integer("conns", 1000);
    hold = Duration.ofSeconds(options.number("hold-s", 10));
    sample = options.integer("ping-sample", 100);
  }

  /** Matches pongs to pings by req_id. */
  private static final class Pings implements BenchClient.Handler {
    final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    final LatencyRecorder latency = new LatencyRecorder();
    volatile CountDownLatch pending = new CountDownLatch(0);

    @Override
    public void onFrame(BenchClient client, JsonNode frame, String type, long nanos) {
      if (type.equals("pong")) {
        Long sent = sentAt.remove(frame.path("req_id").asText(""));
        if (sent != null) {
          latency.recordNanos(nanos - sent);
          pending.countDown();
        }
      }
    }

    /** Pings every client of {@code sample} and waits up to 10 s for the pongs; returns how many came. */
    long ping(List<BenchClient> sample) throws InterruptedException {
      pending = new CountDownLatch(sample.size());
      for (int i = 0; i < sample.size(); i++) {
        String reqId = "p" + i;
        sentAt.put(reqId, System.nanoTime());
        sample.get(i).send("{\"type\":\"ping\",\"req_id\":\"" + reqId + "\"}");
      }
      pending.await(10, TimeUnit.SECONDS);
      return sample.size() - pending.getCount();
    }
  }

  @Override
  public Report run(BenchContext ctx) throws InterruptedException {
    List<String> users = new ArrayList<>();
    for (int i = 1; i <= conns; i++) {
      users.add(ctx.user("i", i));
    }
    List<String> tokens = Logins.tokens(ctx, users, ctx.inFlight);
    Pings pings = new Pings();
    LatencyRecorder logins = new LatencyRecorder();
    ServerStats.Snapshot before = ctx.stats.take();
    Logins.Ramp ramp = Logins.connect(ctx, users, tokens, pings, ctx.inFlight, logins);
    List<BenchClient> clients = ramp.clients();
    try {
      ServerStats.Snapshot after = ctx.stats.take();
      Thread.sleep(hold.toMillis());
      ServerStats.Snapshot held = ctx.stats.take();
      long open = clients.stream().filter(BenchClient::isOpen).count();
      List<BenchClient> sampled = new ArrayList<>();
      for (int i = 0; i < Math.min(sample, clients.size()); i++) {
        // Spread over the whole ramp: early and late connections alike.
        sampled.add(clients.get((int) ((long) i * clients.size() / Math.min(sample, clients.size()))));
      }
      long pongs = pings.ping(sampled);
      double rampSeconds = ramp.nanos() / 1e9;
      Long rssBefore = before.rssKib();
      Long rssAfter = after.rssKib();
      Double cpu = ServerStats.cpuSeconds(before, after);
      return new Report(ctx)
          .latency(logins, "connect->hello")
          .errors(ctx.errors)
          .server(before, after, 0)
          .put("connections", clients.size())
          .put("failed", ramp.failed())
          .put("ramp_seconds", Report.round(rampSeconds, 3))
          .put("logins_per_s", rampSeconds > 0 ? Report.round(clients.size() / rampSeconds, 1) : null)
          .put("logins_per_server_core_s", cpu == null || cpu <= 0 ? null : Report.round(clients.size() / cpu, 1))
          .put("rss_before_kib", rssBefore)
          .put("rss_after_kib", rssAfter)
          .put("rss_after_hold_kib", held.rssKib())
          .put("kib_per_conn", rssBefore == null || rssAfter == null || clients.isEmpty()
              ? null : Report.round((double) (rssAfter - rssBefore) / clients.size(), 2))
          .put("open_after_hold", open)
          .put("pings", sampled.size())
          .put("pongs", pongs)
          .put("ping_ms", pings.latency.toJson());
    } finally {
      DirectPairs.closeAll(clients);
    }
  }
}
