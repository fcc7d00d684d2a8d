package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A run's result: one JSON object with the same fields for every scenario (null where a figure
 * does not apply or is unknown), plus scenario-specific extras after them; and its rendering as a
 * readable block.
 */
final class Report {
  static final ObjectMapper JSON = new ObjectMapper();
  /** The fields every result has, in this order; the readable block shows them on fixed lines. */
  private static final List<String> COMMON = List.of("msgs", "seconds", "msgs_per_s", "latency_ms", "latency_of",
      "errors", "order_violations", "lost", "storage", "server_cpu_s", "msgs_per_server_core_s", "rss_kib",
      "server_deliveries");

  final ObjectNode json = JSON.createObjectNode();

  Report(BenchContext ctx) {
    json.put("scenario", ctx.options.scenario);
    json.put("run_id", ctx.runId);
    json.set("params", ctx.options.params());
    // Every common field now, so they keep this order whatever a scenario fills in first.
    COMMON.forEach(json::putNull);
  }

  Report delivered(long msgs, double seconds) {
    json.put("msgs", msgs);
    json.put("seconds", round(seconds, 3));
    json.put("msgs_per_s", seconds > 0 ? round(msgs / seconds, 1) : null);
    return this;
  }

  /** Latency percentiles, and what they time ({@code of}, such as "send->deliver"). */
  Report latency(LatencyRecorder latency, String of) {
    json.set("latency_ms", latency.toJson());
    json.put("latency_of", of);
    return this;
  }

  Report errors(ErrorTally errors) {
    json.set("errors", errors.toJson());
    return this;
  }

  Report integrity(long orderViolations, long lost) {
    json.put("order_violations", orderViolations);
    json.put("lost", lost);
    return this;
  }

  /** Storage work and server CPU between two snapshots, per message in {@code msgs}. */
  Report server(ServerStats.Snapshot before, ServerStats.Snapshot after, long msgs) {
    ObjectNode storage = json.putObject("storage");
    Double requests = ServerStats.diff(before.dynamoRequests(), after.dynamoRequests());
    Double items = ServerStats.diff(before.itemsWritten(), after.itemsWritten());
    storage.put("requests", requests);
    storage.put("items_written", items);
    storage.put("requests_per_msg", perMessage(requests, msgs));
    storage.put("items_per_msg", perMessage(items, msgs));
    Double cpu = ServerStats.cpuSeconds(before, after);
    json.put("server_cpu_s", cpu == null ? null : round(cpu, 2));
    json.put("msgs_per_server_core_s", cpu == null || cpu <= 0 || msgs == 0 ? null : round(msgs / cpu, 1));
    json.put("rss_kib", after.rssKib());
    json.put("server_deliveries", ServerStats.diff(before.delivered(), after.delivered()));
    return this;
  }

  /**
   * Storage work per message sent between two snapshots (in {@code storage}). Per delivery hides a
   * cost that grows with fan-out; per sent message is what must stay flat as a group grows.
   */
  Report perSentMessage(ServerStats.Snapshot before, ServerStats.Snapshot after, long sent) {
    ObjectNode storage = (ObjectNode) json.get("storage"); // set by server(), called first
    storage.put("sent_msgs", sent);
    storage.put("requests_per_sent_msg", perMessage(ServerStats.diff(before.dynamoRequests(), after.dynamoRequests()), sent));
    storage.put("items_per_sent_msg", perMessage(ServerStats.diff(before.itemsWritten(), after.itemsWritten()), sent));
    return this;
  }

  Report put(String field, Object value) {
    json.set(field, JSON.valueToTree(value));
    return this;
  }

  static Double round(double value, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }

  private static Double perMessage(Double total, long msgs) {
    return total == null || msgs == 0 ? null : round(total / msgs, 3);
  }

  /** The block printed on stderr; lines whose figures do not apply are left out. */
  String text() {
    StringBuilder out = new StringBuilder();
    out.append("== parley bench: ").append(json.path("scenario").asText())
        .append(" (run ").append(json.path("run_id").asText()).append(") ==\n");
    line(out, "params", inline(json.path("params")));
    if (!json.path("msgs").isNull()) {
      line(out, "delivered", json.path("msgs").asText() + " msgs in " + json.path("seconds").asText() + " s = "
          + json.path("msgs_per_s").asText() + " msgs/s");
    }
    JsonNode latency = json.path("latency_ms");
    if (latency.isObject()) {
      line(out, "latency ms", "p50 " + latency.path("p50").asText() + "  p95 " + latency.path("p95").asText()
          + "  p99 " + latency.path("p99").asText() + "  max " + latency.path("max").asText()
          + "  (" + json.path("latency_of").asText() + ", " + latency.path("count").asText() + " samples)");
    }
    JsonNode errors = json.path("errors");
    line(out, "errors", errors.path("count").asText("n/a") + " error frames " + inline(errors.path("by_code"))
        + (errors.path("first").isTextual() ? " first: " + errors.path("first").asText() : "")
        + "; client side " + errors.path("client").path("count").asText("0")
        + (errors.path("client").path("first").isTextual() ? " first: " + errors.path("client").path("first").asText() : ""));
    if (errors.path("by_code").has("rate_limited")) {
      line(out, "hint", "the node's send rate limit refused messages: start it with PARLEY_RATE_LIMIT_PER_MINUTE"
          + " and PARLEY_RATE_LIMIT_BURST raised to measure the server rather than the limiter");
    }
    if (!json.path("lost").isNull()) {
      line(out, "integrity", "order violations " + json.path("order_violations").asText()
          + ", lost " + json.path("lost").asText());
    }
    line(out, "storage", inline(json.path("storage")));
    line(out, "server", "cpu " + json.path("server_cpu_s").asText() + " s, "
        + json.path("msgs_per_server_core_s").asText() + " msgs per core-second, rss "
        + json.path("rss_kib").asText() + " KiB, " + json.path("server_deliveries").asText()
        + " msg.new frames sent (all devices, senders' own copies included)");
    for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      boolean shownAbove = COMMON.contains(field.getKey()) || List.of("scenario", "run_id", "params").contains(field.getKey());
      if (!shownAbove) {
        line(out, field.getKey(), field.getValue().isObject() ? inline(field.getValue()) : field.getValue().asText());
      }
    }
    return out.toString();
  }

  private static void line(StringBuilder out, String label, String value) {
    out.append(String.format("  %-20s %s%n", label, value));
  }

  private static String inline(JsonNode object) {
    if (!object.isObject()) {
      return object.asText();
    }
    StringBuilder text = new StringBuilder();
    object.fields().forEachRemaining(f -> text.append(text.length() == 0 ? "" : " ").append(f.getKey()).append('=')
        .append(f.getValue().isObject() ? "{" + inline(f.getValue()) + "}" : f.getValue().asText()));
    return text.toString();
  }
}
