package io.parley.testing;

import static io.parley.testing.WsClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Users chatting while nodes die and come back: senders retry every message with its
 * client_msg_id until acked, devices reconnect to any node that answers and ack what they
 * receive, and {@link #verify} checks the delivery guarantee on every device afterwards.
 */
public final class ChatLoad implements AutoCloseable {
  public static final Duration DEADLINE = Duration.ofMinutes(4);

  private final List<ParleyProcess> nodes;
  private final AtomicInteger nextNode = new AtomicInteger();
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<Future<?>> workers = new CopyOnWriteArrayList<>();
  private final List<Future<?>> senders = new CopyOnWriteArrayList<>();
  private final List<Device> devices = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger acked = new AtomicInteger();
  private final AtomicInteger expected = new AtomicInteger();
  private final AtomicInteger reconnects = new AtomicInteger();
  /** What senders were told: client_msg_id → msg.ack. */
  private final Map<String, JsonNode> acks = new ConcurrentHashMap<>();
  private final Map<String, List<String>> memberships = new ConcurrentHashMap<>();

  /** Clients connect to these nodes in turn, skipping any that does not answer. */
  public ChatLoad(List<ParleyProcess> nodes) {
    this.nodes = nodes;
  }

  public String createGroup(String creator, List<String> members) {
    try (WsClient ws = connect(creator, "setup")) {
      ObjectNode create = frame("conversation.create").put("title", "load");
      members.forEach(create.putArray("members")::add);
      return ws.request(create).get("conversation_id").asText();
    }
  }

  /**
   * Each user gets these receiving devices, members of {@code conversations}. Returns once each
   * has had its hello: the server keeps every later item for it.
   */
  public void devices(String user, List<String> conversations, String... deviceIds) {
    memberships.put(user, conversations);
    for (String deviceId : deviceIds) {
      Device device = new Device(user, deviceId);
      devices.add(device);
      workers.add(pool.submit(device::run));
      await(device.registered::isDone, device + " connecting");
    }
  }

  /** {@code user} sends {@code count} messages, round-robin over {@code conversations}. */
  public void sender(String user, List<String> conversations, int count) {
    expected.addAndGet(count);
    Future<?> sender = pool.submit(() -> sendAll(user, conversations, count));
    senders.add(sender);
    workers.add(sender);
  }

  /**
   * As {@link #sender}, with up to {@code window} sends in flight on one connection, so that the
   * server's writes carry many messages each (group commit).
   */
  public void pipelinedSender(String user, List<String> conversations, int count, int window) {
    expected.addAndGet(count);
    Future<?> sender = pool.submit(() -> sendPipelined(user, conversations, count, window));
    senders.add(sender);
    workers.add(sender);
  }

  public int acked() {
    return acked.get();
  }

  public int reconnects() {
    return reconnects.get();
  }

  public void awaitAcked(int count) {
    await(() -> acked.get() >= count, count + " acks");
  }

  /** Waits for every send and every delivery, then checks the guarantee; returns deliveries. */
  public int verify() {
    await(() -> senders.stream().allMatch(Future::isDone), "all senders finishing");
    assertEquals(expected.get(), acks.size(), "every message was eventually acked");
    Map<String, Long> lastSeq = new TreeMap<>();
    acks.values().forEach(ack -> lastSeq.merge(ack.get("conversation_id").asText(), ack.get("seq").asLong(), Math::max));
    for (Device device : devices) {
      try {
        await(() -> device.hasAll(memberships.get(device.user), lastSeq), device + " receiving every message");
      } catch (AssertionError missing) {
        throw new AssertionError(missing.getMessage() + "; " + device.diagnose(memberships.get(device.user), lastSeq), missing);
      }
    }
    stop.set(true);
    int checked = 0;
    for (Device device : devices) {
      checked += device.verify(memberships.get(device.user), lastSeq);
    }
    for (String conversation : lastSeq.keySet()) {
      long distinct = acks.values().stream().filter(a -> conversation.equals(a.get("conversation_id").asText()))
          .map(a -> a.get("seq").asLong()).distinct().count();
      assertEquals((long) lastSeq.get(conversation), distinct, conversation + " has gapless seqs");
    }
    return checked;
  }

  public int messagesAcked() {
    return acks.size();
  }

  public int deviceCount() {
    return devices.size();
  }

  @Override
  public void close() {
    stop.set(true);
    pool.shutdownNow();
  }

  private void sendAll(String user, List<String> conversations, int count) {
    WsClient ws = null;
    for (int i = 0; i < count; i++) {
      String conversation = conversations.get(i % conversations.size());
      String clientMsgId = user + "-" + i;
      while (!acks.containsKey(clientMsgId)) {
        if (ws == null || ws.isClosed()) {
          ws = connect(user, "sender");
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
        } else if (reply.isPresent() && rateLimited(reply.get())) {
          waitAsAsked(reply.get()); // the connection is fine
        } else if (reply.isPresent()) {
          // `unavailable` while entities recover or move: retry, as the protocol promises.
          ws.close();
        }
      }
    }
    ws.close();
  }

  private void sendPipelined(String user, List<String> conversations, int count, int window) {
    WsClient ws = null;
    Map<String, Integer> inFlight = new java.util.HashMap<>(); // req_id → message index
    long lastProgress = System.nanoTime();
    int nextUnsent = 0;
    while (acks.keySet().stream().filter(id -> id.startsWith(user + "-")).count() < count) {
      if (ws == null || ws.isClosed()) {
        ws = connect(user, "sender");
        inFlight.clear();
        nextUnsent = 0; // what was in flight on the old connection is sent again, same ids
      }
      while (inFlight.size() < window && nextUnsent < count) {
        int i = nextUnsent++;
        String clientMsgId = user + "-" + i;
        if (acks.containsKey(clientMsgId) || inFlight.containsValue(i)) {
          continue;
        }
        String reqId = clientMsgId + "-" + System.nanoTime();
        if (!trySend(ws, frame("msg.send").put("req_id", reqId)
            .put("conversation_id", conversations.get(i % conversations.size()))
            .put("client_msg_id", clientMsgId).put("content", "message " + clientMsgId))) {
          break;
        }
        inFlight.put(reqId, i);
      }
      if (nextUnsent >= count && inFlight.isEmpty()) {
        nextUnsent = 0; // a pass over what is still unacked (answered `unavailable`)
      }
      Optional<JsonNode> reply = ws.poll(Duration.ofMillis(200));
      Integer index = reply.map(f -> inFlight.remove(f.path("req_id").asText())).orElse(null);
      if (index != null) {
        lastProgress = System.nanoTime();
        if ("msg.ack".equals(reply.get().path("type").asText())) {
          if (acks.putIfAbsent(user + "-" + index, reply.get()) == null) {
            acked.incrementAndGet();
          }
        } else if (rateLimited(reply.get())) {
          waitAsAsked(reply.get()); // sent again on a later pass, once allowed
        }
      } else if (System.nanoTime() - lastProgress > Duration.ofSeconds(15).toNanos()) {
        ws.close(); // no answer for long: the node is gone
        lastProgress = System.nanoTime();
      }
    }
    ws.close();
  }

  /** False when the connection broke (a node died): the caller reconnects. */
  private static boolean trySend(WsClient ws, ObjectNode frame) {
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
      if (frame.isPresent() && "server.draining".equals(frame.get().path("type").asText())) {
        ws.close();
        return Optional.empty();
      }
      if (frame.isPresent() && reqId.equals(frame.get().path("req_id").asText())) {
        return frame;
      }
    }
    return Optional.empty();
  }

  /** Connects to the next node that accepts, as a client after a disconnect would. */
  private WsClient connect(String user, String deviceId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      ParleyProcess node = nodes.get(Math.floorMod(nextNode.getAndIncrement(), nodes.size()));
      try {
        WsClient ws = WsClient.connect(node, new ApiClient(node).token(user), deviceId);
        reconnects.incrementAndGet();
        return ws;
      } catch (RuntimeException down) {
        if (System.nanoTime() > deadline) {
          throw down;
        }
        backoff();
      }
    }
  }

  private static boolean rateLimited(JsonNode reply) {
    return "rate_limited".equals(reply.path("code").asText());
  }

  /** A {@code rate_limited} answer's wait, as the server asks. */
  private static void waitAsAsked(JsonNode rateLimited) {
    pause(rateLimited.path("retry_after_ms").asLong(100));
  }

  private static void backoff() {
    pause(250); // the node is down; there is nothing to await but another try
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String nodeWarnings() {
    StringBuilder text = new StringBuilder();
    for (ParleyProcess node : nodes) {
      text.append("\n--- recent warnings of node ").append(node.logFile().getFileName()).append(":\n")
          .append(node.recentWarnings());
    }
    return text.toString();
  }

  private void await(BooleanSupplier condition, String what) {
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
        throw new AssertionError("timed out waiting for " + what + nodeWarnings());
      }
      backoff();
    }
  }

  /** A receiving device: keeps msg.new by cursor (as a client dedups) and acks what it has. */
  private final class Device {
    final String user;
    final String deviceId;
    /** cursor → item: a repeat of a cursor is the same item and is dropped, as clients do. */
    final Map<Long, JsonNode> byCursor = new ConcurrentHashMap<>();
    final java.util.concurrent.CompletableFuture<Void> registered = new java.util.concurrent.CompletableFuture<>();
    /** Items that came again after an ack covering them was durable: PROTOCOL.md forbids it. */
    final java.util.Queue<String> resentAfterDurableAck = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Cursors that came again with another item: a cursor names one item for good (PROTOCOL.md). */
    final java.util.Queue<String> cursorReused = new java.util.concurrent.ConcurrentLinkedQueue<>();

    Device(String user, String deviceId) {
      this.user = user;
      this.deviceId = deviceId;
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
          ws = connect(user, deviceId);
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
      ParleyProcess node = nodes.stream().filter(n -> n.isAlive()).findFirst().orElseThrow();
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
}
