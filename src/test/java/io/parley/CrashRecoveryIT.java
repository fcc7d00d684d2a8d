package io.parley;

import static io.parley.testing.WsClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the node's process (SIGKILL) twice while three users send to a direct conversation and a
 * group, restarts it on the same data dir each time, and then checks the delivery guarantee on
 * every device: every message acked as sent arrived, under one cursor only, in seq order within
 * its conversation, with seqs gapless.
 */
class CrashRecoveryIT {
  static final int MESSAGES_PER_SENDER = 60;
  static final Duration DEADLINE = Duration.ofMinutes(4);

  @TempDir Path temp;
  ParleyProcess node;
  ApiClient api;
  final AtomicInteger acked = new AtomicInteger();
  final AtomicBoolean stop = new AtomicBoolean();

  /** Senders and devices: a failure in any of them fails the test at once. */
  final List<Future<?>> workers = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** What a sender was told: client_msg_id → (conversation, seq, message_id). */
  final Map<String, JsonNode> acks = new ConcurrentHashMap<>();

  @Test
  void nothingAckedIsLostOrDuplicatedAcrossKillNine() throws Exception {
    node = ParleyProcess.start(temp);
    api = new ApiClient(node);
    String group;
    try (WsClient alice = WsClient.connect(node, api.token("alice"), "setup")) {
      group = alice.request(frame("conversation.create").put("title", "crash")
          .set("members", ApiClient.JSON.createArrayNode().add("bob").add("carol")))
          .get("conversation_id").asText();
    }
    String direct = "d:alice:bob";
    Map<String, List<String>> sends = Map.of(
        "alice", List.of(direct, group), "bob", List.of(direct, group), "carol", List.of(group));
    Map<String, List<String>> memberships = Map.of(
        "alice", List.of(direct, group), "bob", List.of(direct, group), "carol", List.of(group));

    ExecutorService pool = Executors.newCachedThreadPool();
    List<Device> devices = new ArrayList<>();
    for (String user : memberships.keySet()) {
      for (String deviceId : List.of("phone", "laptop")) {
        Device device = new Device(user, deviceId);
        devices.add(device);
        workers.add(pool.submit(device::run));
      }
    }
    List<Future<?>> senders = new ArrayList<>();
    sends.forEach((user, conversations) -> senders.add(pool.submit(() -> sendAll(user, conversations))));
    workers.addAll(senders);

    int kills = 0;
    for (int threshold : new int[] {40, 110}) {
      awaitCondition(() -> acked.get() >= threshold, "acks reached " + threshold);
      node.kill();
      kills++;
      node.launch();
    }
    for (Future<?> sender : senders) {
      sender.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }
    int total = sends.values().stream().mapToInt(List::size).sum() * MESSAGES_PER_SENDER;
    assertEquals(total, acks.size(), "every message was eventually acked");

    Map<String, Long> lastSeq = new TreeMap<>();
    acks.values().forEach(ack -> lastSeq.merge(ack.get("conversation_id").asText(), ack.get("seq").asLong(), Math::max));
    for (Device device : devices) {
      awaitCondition(() -> device.hasAll(memberships.get(device.user), lastSeq),
          device + " received every message");
    }
    stop.set(true);
    pool.shutdownNow();

    int checked = 0;
    for (Device device : devices) {
      checked += device.verify(memberships.get(device.user), lastSeq, acks);
    }
    // Gapless seqs: every conversation's acked seqs are exactly 1..last.
    for (String conversation : lastSeq.keySet()) {
      long count = acks.values().stream().filter(a -> conversation.equals(a.get("conversation_id").asText()))
          .map(a -> a.get("seq").asLong()).distinct().count();
      assertEquals((long) lastSeq.get(conversation), count, conversation + " has gapless seqs");
    }
    System.out.printf("CrashRecoveryIT: %d kills, %d messages acked, %d deliveries checked on %d devices%n",
        kills, acks.size(), checked, devices.size());
    node.close();
  }

  /** Sends every message of one user, retrying each with the same client_msg_id until acked. */
  private void sendAll(String user, List<String> conversations) {
    WsClient ws = null;
    for (int i = 0; i < MESSAGES_PER_SENDER * conversations.size(); i++) {
      String conversation = conversations.get(i % conversations.size());
      String clientMsgId = user + "-" + i;
      while (!acks.containsKey(clientMsgId)) {
        if (ws == null || ws.isClosed()) {
          ws = reconnect(user, "sender");
        }
        String reqId = clientMsgId + "-" + System.nanoTime();
        if (!trySend(ws, frame("msg.send").put("req_id", reqId).put("conversation_id", conversation)
            .put("client_msg_id", clientMsgId).put("content", "message " + clientMsgId))) {
          ws = null;
          continue;
        }
        Optional<JsonNode> reply = awaitReply(ws, reqId);
        if (reply.isPresent() && "msg.ack".equals(reply.get().path("type").asText())) {
          acks.put(clientMsgId, reply.get());
          acked.incrementAndGet();
        } else if (reply.isPresent()) {
          // `unavailable` while the node recovers: retry, which is what the protocol promises.
          ws.close();
        }
      }
    }
    ws.close();
  }

  /** False when the connection broke (the node was killed): the caller reconnects. */
  private static boolean trySend(WsClient ws, com.fasterxml.jackson.databind.node.ObjectNode frame) {
    try {
      ws.send(frame);
      return true;
    } catch (RuntimeException broken) {
      ws.close();
      return false;
    }
  }

  private static Optional<JsonNode> awaitReply(WsClient ws, String reqId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline && !ws.isClosed()) {
      Optional<JsonNode> frame = ws.poll(Duration.ofMillis(200));
      if (frame.isPresent() && reqId.equals(frame.get().path("req_id").asText())) {
        return frame;
      }
    }
    return Optional.empty();
  }

  private WsClient reconnect(String user, String deviceId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      try {
        return WsClient.connect(node, api.token(user), deviceId);
      } catch (RuntimeException restarting) {
        if (System.nanoTime() > deadline) {
          throw restarting;
        }
        backoff();
      }
    }
  }

  private static void backoff() {
    try {
      Thread.sleep(250); // the node is down; there is nothing to await but its port
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      for (Future<?> worker : workers) {
        if (worker.isDone() && !worker.isCancelled()) {
          try {
            worker.get();
          } catch (Exception e) {
            throw new AssertionError("a client thread failed", e);
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      backoff();
    }
  }

  /** A receiving device: collects msg.new by cursor (as a client dedups) and acks what it has. */
  final class Device {
    final String user;
    final String deviceId;
    /** cursor → item: a repeat of a cursor is the same item and is dropped, as clients do. */
    final Map<Long, JsonNode> byCursor = new ConcurrentHashMap<>();
    final List<JsonNode> inArrivalOrder = java.util.Collections.synchronizedList(new ArrayList<>());

    Device(String user, String deviceId) {
      this.user = user;
      this.deviceId = deviceId;
    }

    void run() {
      WsClient ws = null;
      long highest = 0;
      int sinceAck = 0;
      while (!stop.get()) {
        if (ws == null || ws.isClosed()) {
          ws = reconnect(user, deviceId);
        }
        Optional<JsonNode> frame = ws.poll(Duration.ofMillis(200));
        if (frame.isPresent() && "msg.new".equals(frame.get().path("type").asText())) {
          long cursor = frame.get().get("cursor").asLong();
          if (byCursor.putIfAbsent(cursor, frame.get()) == null) {
            inArrivalOrder.add(frame.get());
          }
          highest = Math.max(highest, cursor);
          sinceAck++;
        }
        if (sinceAck >= 7 || (frame.isEmpty() && sinceAck > 0)) {
          if (trySend(ws, frame("ack").put("cursor", highest))) {
            sinceAck = 0;
          } else {
            ws = null;
          }
        }
      }
      ws.close();
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

    /** Returns how many deliveries it checked. */
    int verify(List<String> conversations, Map<String, Long> lastSeq, Map<String, JsonNode> acks) {
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
          assertTrue(cursorOf.containsKey(conversation + "#" + ack.get("seq").asLong()),
              this + " is missing acked " + ack);
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
}
