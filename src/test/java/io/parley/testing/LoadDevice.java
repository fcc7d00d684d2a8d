package io.parley.testing;

import static io.parley.testing.LoadClients.trySend;
import static io.parley.testing.WsClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** A {@link ChatLoad}'s receiving device: keeps msg.new by cursor (as a client dedups) and acks what it has. */
final class LoadDevice {
  final String user;
  final String deviceId;
  /** cursor → item: a repeat of a cursor is the same item and is dropped, as clients do. */
  final Map<Long, JsonNode> byCursor = new ConcurrentHashMap<>();
  final java.util.concurrent.CompletableFuture<Void> registered = new java.util.concurrent.CompletableFuture<>();
  /** Items that came again after an ack covering them was durable: PROTOCOL.md forbids it. */
  final java.util.Queue<String> resentAfterDurableAck = new java.util.concurrent.ConcurrentLinkedQueue<>();
  /** Cursors that came again with another item: a cursor names one item for good (PROTOCOL.md). */
  final java.util.Queue<String> cursorReused = new java.util.concurrent.ConcurrentLinkedQueue<>();

  private final LoadClients clients;
  /** Stops the device once the load is verified. */
  private final AtomicBoolean stop;
  /** What the load's senders were told: client_msg_id → msg.ack. */
  private final Map<String, JsonNode> acks;

  LoadDevice(String user, String deviceId, LoadClients clients, AtomicBoolean stop, Map<String, JsonNode> acks) {
    this.user = user;
    this.deviceId = deviceId;
    this.clients = clients;
    this.stop = stop;
    this.acks = acks;
  }

  void run() {
    WsClient ws = null;
    long highest = 0;
    int sinceAck = 0;
    // An ack followed by an answered frame is durable (PROTOCOL.md): from the answer on, no
    // item up to it may come again on any connection.
    long durable = 0;
    long ackedBeforePing = 0;
    while (!stop.get()) {
      if (ws == null || ws.isClosed()) {
        ws = clients.connect(user, deviceId);
      }
      Optional<JsonNode> frame = ws.poll(Duration.ofMillis(200));
      String type = frame.map(f -> f.path("type").asText()).orElse("");
      if (type.equals("hello")) {
        registered.complete(null);
        // Ack at once what the last connection delivered, as a client coming back does,
        // racing the re-delivery that the hello started.
        if (highest > 0 && trySend(ws, frame("ack").put("cursor", highest))
            && trySend(ws, frame("ping").put("req_id", "durable-" + highest))) {
          ackedBeforePing = highest;
          sinceAck = 0;
        }
      } else if (type.equals("pong") && frame.get().path("req_id").asText().startsWith("durable-")) {
        durable = Math.max(durable, ackedBeforePing);
      } else if (type.equals("msg.new")) {
        long cursor = frame.get().get("cursor").asLong();
        if (cursor <= durable) {
          resentAfterDurableAck.add(cursor + " (durable through " + durable + ")");
        }
        JsonNode earlier = byCursor.putIfAbsent(cursor, frame.get());
        if (earlier != null && !itemOf(earlier).equals(itemOf(frame.get()))) {
          cursorReused.add(cursor + ": " + itemOf(earlier) + " then " + itemOf(frame.get()));
        }
        highest = Math.max(highest, cursor);
        sinceAck++;
      } else if (type.equals("server.draining")) {
        ws.close();
        continue;
      }
      if (sinceAck >= 7 || (frame.isEmpty() && sinceAck > 0)) {
        if (trySend(ws, frame("ack").put("cursor", highest))) {
          sinceAck = 0;
        } else {
          ws = null;
        }
      }
    }
    if (ws != null) {
      ws.close();
    }
  }

  boolean hasAll(List<String> conversations, Map<String, Long> lastSeq) {
    for (String conversation : conversations) {
      long have = byCursor.values().stream()
          .filter(f -> conversation.equals(f.get("conversation_id").asText()))
          .map(f -> f.get("seq").asLong()).distinct().count();
      if (have < lastSeq.getOrDefault(conversation, 0L)) {
        return false;
      }
    }
    return true;
  }

  /** What is missing, whether history has it, and how far the user's inbox got. */
  String diagnose(List<String> conversations, Map<String, Long> lastSeq) {
    StringBuilder report = new StringBuilder();
    ParleyProcess node = clients.nodes().stream().filter(n -> n.isAlive()).findFirst().orElseThrow();
    ApiClient api = new ApiClient(node);
    String token = api.token(user);
    JsonNode inbox = api.get(token, "/v1/inbox?limit=200").body();
    for (String conversation : conversations) {
      java.util.Set<Long> have = new java.util.TreeSet<>();
      byCursor.values().stream().filter(f -> conversation.equals(f.get("conversation_id").asText()))
          .forEach(f -> have.add(f.get("seq").asLong()));
      List<Long> missing = java.util.stream.LongStream.rangeClosed(1, lastSeq.getOrDefault(conversation, 0L))
          .filter(seq -> !have.contains(seq)).boxed().toList();
      if (missing.isEmpty()) {
        continue;
      }
      long first = missing.get(0);
      JsonNode history = api.get(token, "/v1/conversations/" + conversation + "/messages?before=" + (first + 1) + "&limit=1").body();
      String inboxSeq = "none";
      for (JsonNode item : inbox.get("items")) {
        if (conversation.equals(item.get("conversation_id").asText())) {
          inboxSeq = item.get("last_seq").asText();
        }
      }
      report.append(conversation).append(" missing ").append(missing)
          .append(" (history has seq ").append(first).append(": ").append(history.get("messages").size() == 1)
          .append(", inbox last_seq ").append(inboxSeq).append(", highest cursor ")
          .append(byCursor.keySet().stream().max(Long::compare).orElse(0L)).append(") ");
    }
    if (!cursorReused.isEmpty()) {
      report.append("cursors that came again with other items: ").append(cursorReused);
    }
    return report.toString();
  }

  private static String itemOf(JsonNode item) {
    return item.path("conversation_id").asText() + "#" + item.path("seq").asLong();
  }

  /** Checks the guarantee on this device; returns how many deliveries it checked. */
  int verify(List<String> conversations, Map<String, Long> lastSeq) {
    assertTrue(resentAfterDurableAck.isEmpty(), this + " got acked items again: " + resentAfterDurableAck);
    assertTrue(cursorReused.isEmpty(), this + " got cursors again with other items: " + cursorReused);
    Map<String, Long> previousSeq = new TreeMap<>();
    Map<String, Long> cursorOf = new TreeMap<>();
    for (Map.Entry<Long, JsonNode> entry : new TreeMap<>(byCursor).entrySet()) {
      JsonNode item = entry.getValue();
      String conversation = item.get("conversation_id").asText();
      long seq = item.get("seq").asLong();
      Long earlier = cursorOf.put(conversation + "#" + seq, entry.getKey());
      assertTrue(earlier == null, this + " got " + conversation + "#" + seq + " under two cursors");
      long previous = previousSeq.getOrDefault(conversation, 0L);
      assertTrue(seq > previous, this + ": seq " + seq + " after " + previous + " in " + conversation);
      previousSeq.put(conversation, seq);
    }
    for (JsonNode ack : acks.values()) {
      String conversation = ack.get("conversation_id").asText();
      if (conversations.contains(conversation)) {
        assertTrue(cursorOf.containsKey(conversation + "#" + ack.get("seq").asLong()), this + " is missing acked " + ack);
      }
    }
    for (String conversation : conversations) {
      assertEquals(lastSeq.get(conversation), previousSeq.get(conversation), this + " saw all of " + conversation);
    }
    return byCursor.size();
  }

  @Override
  public String toString() {
    return user + "/" + deviceId;
  }
}
