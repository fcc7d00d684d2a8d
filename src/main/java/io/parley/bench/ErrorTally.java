package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Error frames the server sent, by code, and problems on the client side (failed connects,
 * unexpected closes), kept apart so a server refusal is never confused with a bench fault.
 */
final class ErrorTally {
  private final Map<String, LongAdder> frames = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> client = new ConcurrentHashMap<>();
  private final AtomicReference<String> firstFrame = new AtomicReference<>();
  private final AtomicReference<String> firstClient = new AtomicReference<>();

  void frame(JsonNode error) {
    String code = error.path("code").asText("?");
    frames.computeIfAbsent(code, c -> new LongAdder()).increment();
    firstFrame.compareAndSet(null, code + ": " + error.path("message").asText(""));
  }

  void client(String kind, String detail) {
    client.computeIfAbsent(kind, k -> new LongAdder()).increment();
    firstClient.compareAndSet(null, kind + ": " + detail);
  }

  long frameCount() {
    return sum(frames);
  }

  long clientCount() {
    return sum(client);
  }

  /** {count, by_code, first, client: {count, by_kind, first}}. */
  ObjectNode toJson() {
    ObjectNode json = Report.JSON.createObjectNode();
    json.put("count", frameCount());
    json.set("by_code", counts(frames));
    json.put("first", firstFrame.get());
    ObjectNode side = json.putObject("client");
    side.put("count", clientCount());
    side.set("by_kind", counts(client));
    side.put("first", firstClient.get());
    return json;
  }

  private static long sum(Map<String, LongAdder> counts) {
    return counts.values().stream().mapToLong(LongAdder::sum).sum();
  }

  private static ObjectNode counts(Map<String, LongAdder> counts) {
    ObjectNode json = Report.JSON.createObjectNode();
    new TreeMap<>(counts).forEach((code, n) -> json.put(code, n.sum()));
    return json;
  }
}
