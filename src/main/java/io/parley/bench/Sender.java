package io.parley.bench;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One sending client of a {@link Traffic}, writing to one conversation that {@code receivers}
 * other devices watch. Message ids are "m" + sender index + "." + number, unique within a run.
 */
final class Sender {
  private final Traffic traffic;
  final BenchClient client;
  final String conversationId;
  final int receivers;
  final String tag;
  final AtomicLong next = new AtomicLong();
  /** Sent, and neither acked nor given up on; a retry keeps its message in here. */
  final Set<String> inFlight = ConcurrentHashMap.newKeySet();

  Sender(Traffic traffic, BenchClient client, String conversationId, int receivers, int index) {
    this.traffic = traffic;
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
      if (n >= traffic.perSender) {
        return false;
      }
    } while (!next.compareAndSet(n, n + 1));
    String id = tag + n;
    traffic.tracker.sent(id, sentNanos, receivers);
    inFlight.add(id);
    transmit(id);
    return true;
  }

  /** The message's id doubles as req_id, client_msg_id and content, so a retry is the same frame. */
  private void transmit(String id) {
    client.send(Report.JSON.createObjectNode().put("type", "msg.send").put("req_id", id)
        .put("conversation_id", conversationId).put("client_msg_id", id).put("content", id).toString());
  }

  void acked(String id) {
    if (!inFlight.remove(id)) {
      return;
    }
    traffic.acked.increment();
    traffic.tracker.acked(id);
    settled();
    if (traffic.keepsWindow()) {
      sendNext(System.nanoTime());
    }
  }

  /**
   * An error reply. After unavailable (stored or not: unknown) or rate_limited (not stored), send
   * the same client_msg_id again after a pause, as a client would: the server's deduplication keeps
   * it exactly once, and its latency still counts from the first send. Any other refusal is final:
   * give the message up and, in a closed loop, send another after the pause.
   */
  void refused(String id, String code, long retryAfterMs) {
    if (!inFlight.contains(id)) {
      return;
    }
    long pause = Math.max(Traffic.RETRY_PAUSE_MS, retryAfterMs);
    if (code.equals("unavailable") || code.equals("rate_limited")) {
      traffic.retries.increment();
      traffic.timer.schedule(() -> {
        if (inFlight.contains(id)) {
          transmit(id);
        }
      }, pause, TimeUnit.MILLISECONDS);
    } else if (inFlight.remove(id)) {
      traffic.abandoned.increment();
      traffic.tracker.abandoned(id);
      settled();
      if (traffic.keepsWindow()) {
        traffic.timer.schedule(() -> {
          if (traffic.keepsWindow()) {
            sendNext(System.nanoTime());
          }
        }, pause, TimeUnit.MILLISECONDS);
      }
    }
  }

  private void settled() {
    if (inFlight.isEmpty()) {
      traffic.quiet.poke();
    }
  }
}
