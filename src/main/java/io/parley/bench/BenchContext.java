package io.parley.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every scenario shares: one HttpClient for HTTP and all WebSockets, the server's stats, the
 * error tally, and a run id that prefixes user ids so runs on the same data never collide.
 */
final class BenchContext implements AutoCloseable {
  static final String DEVICE_ID = "bench";

  final BenchOptions options;
  final String runId = "b" + Long.toString(System.currentTimeMillis(), 36);
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  final URI url;
  final ParleyHttp api;
  final ServerStats stats;
  final ErrorTally errors = new ErrorTally();
  final Await quiet = new Await();
  /** How many logins (token or WebSocket handshake) may be under way at once. */
  final int inFlight;
  final Duration drain;
  /** Delayed acks and paused retries: small tasks, one thread. */
  final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "bench-acks");
    thread.setDaemon(true);
    return thread;
  });

  BenchContext(BenchOptions options) {
    this.options = options;
    this.url = options.url();
    this.api = new ParleyHttp(http, url);
    this.stats = new ServerStats(http, options.metricsUrl(), options.optionalNumber("server-pid"));
    this.inFlight = options.integer("in-flight", 200);
    this.drain = Duration.ofSeconds(options.number("drain-s", 10));
  }

  /** A user id of this run: run id, role and number. */
  String user(String role, int number) {
    return runId + "-" + role + number;
  }

  URI webSocketUri() {
    return BenchOptions.webSocket(url, DEVICE_ID);
  }

  BenchClient client(String userId, BenchClient.Handler handler) {
    return new BenchClient(userId, DEVICE_ID, handler, errors, timer);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
