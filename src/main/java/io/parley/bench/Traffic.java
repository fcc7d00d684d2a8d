package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives senders and routes what comes back. Closed loop: each sender keeps {@code window}
 * messages in flight (sent, no msg.ack yet) and sends the next on each ack. Open loop: messages go
 * out on a fixed schedule whatever the server does, except that a sender waits while it has
 * {@code cap} in flight; latency then counts from the scheduled time, so a stalled server shows up
 * in the figures instead of quietly lowering the load. Retries of refused sends: see {@link Sender}.
 */
final class Traffic implements BenchClient.Handler {
  /** Closed loop if {@code ratePerSecond} is 0, else open loop at that total rate. */
  record Pacing(int window, double ratePerSecond, int cap) {
    boolean open() {
      return ratePerSecond > 0;
    }
  }

  /** At least this long before a retry or a replacement, so a refusing server is not hammered. */
  static final long RETRY_PAUSE_MS = 100;

  // Shared with the senders.
  final DeliveryTracker tracker;
  final long perSender;
  final Await quiet;
  final ScheduledExecutorService timer;
  final LongAdder acked = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder abandoned = new LongAdder();
  private final Pacing pacing;
  private final List<Sender> senders = new CopyOnWriteArrayList<>();
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
    Sender sender = new Sender(this, client, conversationId, receivers, senders.size());
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

  /** Closed loop and still running: each settled message is replaced by a new one. */
  boolean keepsWindow() {
    return running && !pacing.open();
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

  /** Sends repeated after unavailable or rate_limited. */
  long retries() {
    return retries.sum();
  }

  /** Messages given up on after a final refusal. */
  long abandoned() {
    return abandoned.sum();
  }

  /** Open loop: messages that were due but not yet sent (held back by the in-flight cap) when last looked. */
  long backlog() {
    return backlog;
  }

  int inFlight() {
    return senders.stream().mapToInt(s -> s.inFlight.size()).sum();
  }

  @Override
  public void onFrame(BenchClient client, JsonNode frame, String type, long nanos) {
    switch (type) {
      case "msg.ack" -> {
        String id = frame.path("client_msg_id").asText();
        Sender sender = senderOf(id);
        if (sender != null) {
          sender.acked(id);
        }
      }
      case "error" -> {
        String id = frame.path("req_id").asText("");
        Sender sender = senderOf(id);
        if (sender != null) {
          sender.refused(id, frame.path("code").asText(""), frame.path("retry_after_ms").asLong(0));
        }
      }
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

  /** The sender of one of our message ids ("m" sender "." number), or null. */
  private Sender senderOf(String id) {
    int dot = id.indexOf('.');
    if (!id.startsWith("m") || dot < 2) {
      return null;
    }
    try {
      return senders.get(Integer.parseInt(id.substring(1, dot)));
    } catch (RuntimeException notOurs) {
      return null;
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
        while ((n = sender.next.get()) < due && sender.inFlight.size() < pacing.cap()) {
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
