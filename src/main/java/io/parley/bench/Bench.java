package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A load tool for a running Parley node, speaking the public client protocol over the JDK's
 * WebSocket client. Prints a readable block on stderr and one JSON line on stdout per run.
 *
 * <pre>
 * java -cp target/parley.jar io.parley.bench.Bench pairs --pairs 50 --window 10 --server-pid 1234
 * </pre>
 */
public final class Bench {
  static final String USAGE = """
      usage: java -cp parley.jar io.parley.bench.Bench SCENARIO [--option value ...]

      scenarios
        pairs    closed loop: --pairs P (2P clients, user 2i+1 -> 2i+2), --window W in flight per sender
        rate     open loop: --pairs P, --rate R msgs/s in total, --max-in-flight per sender (1000)
        offline  --k K messages to a receiver that is offline, then it connects and catches up (--window 50)
        group    --members M (100) in one group, the first --online N (10) of them connected, user 1
                 the sender; --messages K (1000) closed loop with --window W (10), or --rate R msgs/s
                 open loop for --duration-s. Built as a client must: create with 999 others, then
                 POST /v1/conversations/{id}/members in pages of 1,000 (4 at once); the others are
                 just ids, never logged in. Reports setup_s, member_pages, per message the time to
                 the first and the last online receiver (first_delivery_ms, last_delivery_ms),
                 incomplete, and dynamodb_requests_per_sent_msg. The node needs
                 PARLEY_MAX_GROUP_MEMBERS >= M and, beyond ten or so pages, a raised group-change limit
                 (PARLEY_RATE_LIMIT_GROUP_CHANGES_PER_MINUTE, _BURST) or refused pages are retried;
                 PARLEY_MEMBERS_ADDED_PER_DAY >= M, and dev tokens on (else the ids are only invited).
                 e.g. group --members 100000 --online 1000 --rate 10 --duration-s 60
        idle     --conns N idle connections (ramped, --in-flight at once), --hold-s, --ping-sample 100

      common options
        --url http://127.0.0.1:8080           HTTP API and WebSocket (ws://.../v1/ws) of the node
        --metrics-url http://127.0.0.1:8558/metrics
        --server-pid PID                      server CPU and RSS from /proc (same machine only)
        --warmup-s 5 --duration-s 30          pairs, rate, group --rate
        --drain-s 10                          how long to wait for what is still owed (or for progress)
        --in-flight 200                       logins under way at once
        --out FILE                            append the JSON line to FILE as well

      The node must issue dev tokens (POST /v1/dev/token, the embedded default) and should run with a
      raised send rate limit (PARLEY_RATE_LIMIT_PER_MINUTE, PARLEY_RATE_LIMIT_BURST), or the run
      measures the limiter. Client-side limits: each connection is a socket and a file descriptor
      (ulimit -n); from one source address to one server port there are about 28,000 ephemeral ports
      (net.ipv4.ip_local_port_range); all WebSockets share one HttpClient and its single selector
      thread; and the bench competes with the server for CPU when both run on one machine.
      Exit status: 0, 1 on failure, 2 on bad usage, 3 if messages were lost, duplicated or out of order.
      """;

  private static final Map<String, Function<BenchOptions, Scenario>> SCENARIOS = new LinkedHashMap<>();

  static {
    SCENARIOS.put("pairs", PairsScenario::new);
    SCENARIOS.put("rate", RateScenario::new);
    SCENARIOS.put("offline", OfflineScenario::new);
    SCENARIOS.put("group", GroupScenario::new);
    SCENARIOS.put("idle", IdleScenario::new);
  }

  private Bench() {}

  public static void main(String[] args) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      System.err.print(USAGE);
      System.exit(args.length == 0 ? 2 : 0);
    }
    int status;
    try {
      ObjectNode result = run(args);
      System.out.println(result);
      status = healthy(result) ? 0 : 3;
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.print(USAGE);
      status = 2;
    } catch (Exception e) {
      System.err.println("bench failed: " + e);
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }

  /**
   * Runs one scenario against a running node and returns its result, the JSON printed by
   * {@link #main}; also prints the readable block on stderr and appends to --out. For callers in
   * the same JVM (tests): never exits.
   */
  public static ObjectNode run(String... args) throws Exception {
    BenchOptions options = BenchOptions.parse(args);
    Function<BenchOptions, Scenario> factory = SCENARIOS.get(options.scenario);
    if (factory == null) {
      throw new IllegalArgumentException("unknown scenario " + options.scenario + "; one of " + SCENARIOS.keySet());
    }
    try (BenchContext ctx = new BenchContext(options)) {
      Scenario scenario = factory.apply(options);
      String out = options.string("out", null);
      options.rejectUnknown();
      Report report = scenario.run(ctx);
      System.err.print(report.text());
      if (out != null) {
        append(Path.of(out), report.json.toString());
      }
      return report.json;
    }
  }

  /** No message lost, duplicated or out of order (figures that do not apply are null). */
  static boolean healthy(JsonNode result) {
    return result.path("lost").asLong(0) == 0
        && result.path("order_violations").asLong(0) == 0
        && result.path("duplicates").asLong(0) == 0
        && result.path("exactly_once").asBoolean(true);
  }

  private static void append(Path file, String line) throws IOException {
    Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
