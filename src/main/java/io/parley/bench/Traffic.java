package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives senders and routes what comes back. Closed loop: each sender keeps {@code window}
 * messages in flight (sent, no msg.ack yet) and sends the next on each ack. Open loop: messages go
 * out on a fixed schedule whatever the server does, except that a sender waits while it has
 * {@code cap} in flight; latency then counts from the scheduled time, so a stalled server shows up
 * in the figures instead of quietly lowering the load.
 */
final class Traffic implements BenchClient.Handler {
  /** Closed loop if {@code ratePerSecond} is 0, else open loop at that total rate. */
  record Pacing(int window, double ratePerSecond, int cap) {
    boolean open() {
      return ratePerSecond > 0;
    }
  }

  /** One sending client, writing to one conversation that {@code receivers} other devices watch. */
  final class Sender {
    final BenchClient client;
    final String conversationId;
    final int receivers;
    final String tag;
    final AtomicLong next = new AtomicLong();
    final AtomicInteger inFlight = new AtomicInteger();

    Sender(BenchClient client, String conversationId, int receivers, int index) {
      this.client = client;
      this.conversationId = conversationId;
      this.receivers = receivers;
      this.tag = "m" + index + ".";
    }

    /** Sends the next message, stamped {@code sentNanos}; false once all {@code perSender} are out. */
    boolean sendNext(long sentNanos) {
      long n;
      do {
        n = next.get();
        if (n >= perSender) {
          return false;
        }
      } while (!next.compareAndSet(n, n + 1));
      String id = tag + n;
      tracker.sent(id, sentNanos, receivers);
      inFlight.incrementAndGet();
      client.send(Report.JSON.createObjectNode().put("type", "msg.send").put("req_id", id)
          .put("conversation_id", conversationId).put("client_msg_id", id).put("content", id).toString());
      return true;
    }

    /** A msg.ack ({@code stored}) or an error reply; {@code retryAfterMs} from a rate_limited error. */
    void settled(String id, boolean stored, long retryAfterMs) {
      if (stored) {
        acked.increment();
        tracker.acked(id);
      } else {
        tracker.refused(id);
      }
      if (inFlight.decrementAndGet() == 0) {
        quiet.poke();
      }
      if (running && !pacing.open()) {
        if (stored) {
          sendNext(System.nanoTime());
        } else {
          // Refused: keep the window, but give the server a pause rather than a tight retry loop.
          timer.schedule(() -> {
            if (running) {
              sendNext(System.nanoTime());
            }
          }, Math.max(REFUSAL_PAUSE_MS, retryAfterMs), TimeUnit.MILLISECONDS);
        }
      }
    }
  }

  private static final long REFUSAL_PAUSE_MS = 100;

  private final DeliveryTracker tracker;
  private final Pacing pacing;
  private final long perSender;
  private final Await quiet;
  private final ScheduledExecutorService timer;
  private final List<Sender> senders = new CopyOnWriteArrayList<>();
  private final LongAdder acked = new LongAdder();
  private volatile boolean running;
  private volatile long backlog;
  private Thread pacer;

  /** {@code perSender}: how many messages each sender sends at most (Long.MAX_VALUE: until stopped). */
  Traffic(BenchContext ctx, DeliveryTracker tracker, Pacing pacing, long perSender) {
    this.tracker = tracker;
    this.pacing = pacing;
    this.perSender = perSender;
    this.quiet = ctx.quiet;
    this.timer = ctx.timer;
  }

  Sender addSender(BenchClient client, String conversationId, int receivers) {
    Sender sender = new Sender(client, conversationId, receivers, senders.size());
    senders.add(sender);
    return sender;
  }

  void start() {
    running = true;
    if (pacing.open()) {
      pacer = new Thread(this::pace, "bench-pacer");
      pacer.setDaemon(true);
      pacer.start();
    } else {
      for (Sender sender : senders) {
        for (int i = 0; i < pacing.window(); i++) {
          sender.sendNext(System.nanoTime());
        }
      }
    }
  }

  /** No new messages from now on; those in flight still settle. */
  void stop() throws InterruptedException {
    running = false;
    if (pacer != null) {
      pacer.join();
    }
  }

  boolean openLoop() {
    return pacing.open();
  }

  boolean allSent() {
    return senders.stream().allMatch(s -> s.next.get() >= perSender);
  }

  long sent() {
    return senders.stream().mapToLong(s -> s.next.get()).sum();
  }

  /** Messages the server acked as stored. */
  long acked() {
    return acked.sum();
  }

  /** Open loop: messages that were due but not yet sent (held back by the in-flight cap) when last looked. */
  long backlog() {
    return backlog;
  }

  int inFlight() {
    return senders.stream().mapToInt(s -> s.inFlight.get()).sum();
  }

  @Override
  public void onFrame(BenchClient client, JsonNode frame, String type, long nanos) {
    switch (type) {
      case "msg.ack" -> settle(frame.path("client_msg_id").asText(), true, 0);
      case "error" -> settle(frame.path("req_id").asText(""), false, frame.path("retry_after_ms").asLong(0));
      case "msg.new" -> {
        // The sender's own copy is not a delivery to a receiver; BenchClient acks it all the same.
        if (!client.userId.equals(frame.path("sender_id").asText())) {
          // client_msg_id in msg.new is an extension of this server; the content carries it too.
          String id = frame.path("client_msg_id").asText(frame.path("content").asText());
          tracker.delivered(client.userId, id, frame.path("conversation_id").asText(),
              frame.path("seq").asLong(), nanos);
        }
      }
      default -> { }
    }
  }

  private void settle(String id, boolean stored, long retryAfterMs) {
    int dot = id.indexOf('.');
    if (!id.startsWith("m") || dot < 2) {
      return;
    }
    try {
      senders.get(Integer.parseInt(id.substring(1, dot))).settled(id, stored, retryAfterMs);
    } catch (RuntimeException notOurs) {
      // Not a reply to one of our sends.
    }
  }

  /**
   * Sender i sends its n-th message at start + (n + i/S) / r, with r the per-sender rate and S the
   * number of senders: the total is even over time rather than S messages at once.
   */
  private void pace() {
    long start = System.nanoTime();
    int count = senders.size();
    double interval = count * 1e9 / pacing.ratePerSecond();
    while (running) {
      long now = System.nanoTime();
      long behind = 0;
      for (int i = 0; i < count; i++) {
        Sender sender = senders.get(i);
        double phase = (double) i / count;
        long due = (long) Math.floor((now - start) / interval - phase) + 1;
        long n;
        while ((n = sender.next.get()) < due && sender.inFlight.get() < pacing.cap()) {
          if (!sender.sendNext(start + (long) ((n + phase) * interval))) {
            break;
          }
        }
        behind += Math.max(0, due - sender.next.get());
      }
      backlog = behind;
      LockSupport.parkNanos(200_000);
    }
  }
}
