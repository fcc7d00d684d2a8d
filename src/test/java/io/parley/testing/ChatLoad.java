package io.parley.testing;

import static io.parley.testing.LoadClients.backoff;
import static io.parley.testing.WsClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * receive, and {@link #verify} checks the delivery guarantee on every device afterwards. This is
 * the load's set-up and checks; {@link LoadSender} sends, {@link LoadDevice} receives.
 */
public final class ChatLoad implements AutoCloseable {
  public static final Duration DEADLINE = Duration.ofMinutes(4);

  private final LoadClients clients;
  private final LoadSender sending;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<Future<?>> workers = new CopyOnWriteArrayList<>();
  private final List<Future<?>> senders = new CopyOnWriteArrayList<>();
  private final List<LoadDevice> devices = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger acked = new AtomicInteger();
  private final AtomicInteger expected = new AtomicInteger();
  /** What senders were told: client_msg_id → msg.ack. */
  private final Map<String, JsonNode> acks = new ConcurrentHashMap<>();
  private final Map<String, List<String>> memberships = new ConcurrentHashMap<>();

  /** Clients connect to these nodes in turn, skipping any that does not answer. */
  public ChatLoad(List<ParleyProcess> nodes) {
    this.clients = new LoadClients(nodes);
    this.sending = new LoadSender(clients, acks, acked);
  }

  public String createGroup(String creator, List<String> members) {
    try (WsClient ws = clients.connect(creator, "setup")) {
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
      LoadDevice device = new LoadDevice(user, deviceId, clients, stop, acks);
      devices.add(device);
      workers.add(pool.submit(device::run));
      await(device.registered::isDone, device + " connecting");
    }
  }

  /** {@code user} sends {@code count} messages, round-robin over {@code conversations}. */
  public void sender(String user, List<String> conversations, int count) {
    expected.addAndGet(count);
    Future<?> sender = pool.submit(() -> sending.sendAll(user, conversations, count));
    senders.add(sender);
    workers.add(sender);
  }

  /**
   * As {@link #sender}, with up to {@code window} sends in flight on one connection, so that the
   * server's writes carry many messages each (group commit).
   */
  public void pipelinedSender(String user, List<String> conversations, int count, int window) {
    expected.addAndGet(count);
    Future<?> sender = pool.submit(() -> sending.sendPipelined(user, conversations, count, window));
    senders.add(sender);
    workers.add(sender);
  }

  public int acked() {
    return acked.get();
  }

  public int reconnects() {
    return clients.reconnects();
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
    for (LoadDevice device : devices) {
      try {
        await(() -> device.hasAll(memberships.get(device.user), lastSeq), device + " receiving every message");
      } catch (AssertionError missing) {
        throw new AssertionError(missing.getMessage() + "; " + device.diagnose(memberships.get(device.user), lastSeq), missing);
      }
    }
    stop.set(true);
    int checked = 0;
    for (LoadDevice device : devices) {
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

  private String nodeWarnings() {
    StringBuilder text = new StringBuilder();
    for (ParleyProcess node : clients.nodes()) {
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
}
