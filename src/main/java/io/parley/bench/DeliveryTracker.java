package io.parley.bench;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Follows every message from its send to each receiver it should reach: latency, order per
 * (receiver, conversation), duplicates, and what never arrived. Messages are keyed by their
 * {@code client_msg_id}, unique within a run.
 */
final class DeliveryTracker {
  /**
   * One message's deliveries still expected, and who got it already (so a second copy to the same
   * receiver counts as a duplicate rather than standing in for another receiver's missing one).
   * Guarded by itself, as sender and receivers race on it.
   */
  private static final class Pending {
    final long sentNanos;
    private final Set<String> receivedBy = new HashSet<>();
    private int remaining;
    private boolean acked;
    private boolean abandoned;

    Pending(long sentNanos, int receivers) {
      this.sentNanos = sentNanos;
      this.remaining = receivers;
    }

    synchronized void ack() {
      acked = true;
    }

    /** The deliveries that stop being owed: the sender gave up on an unconfirmed message. */
    synchronized int abandon() {
      if (acked || abandoned) {
        return 0;
      }
      abandoned = true;
      return remaining;
    }

    /** What one copy to {@code receiver} was; decided at once, as receivers race. */
    synchronized Outcome deliver(String receiver) {
      if (remaining == 0 || !receivedBy.add(receiver)) {
        return Outcome.DUPLICATE;
      }
      remaining--;
      return new Outcome(!abandoned, true, receivedBy.size() == 1, remaining == 0);
    }

    synchronized boolean incomplete() {
      return remaining > 0 && !abandoned;
    }

    synchronized int lost() {
      return acked && !abandoned ? remaining : 0;
    }
  }

  /**
   * A copy's fate: {@code owed} (its message was not given up on), {@code expected} (not a
   * duplicate), and whether it was the message's first or last expected copy.
   */
  private record Outcome(boolean owed, boolean expected, boolean first, boolean last) {
    static final Outcome DUPLICATE = new Outcome(false, false, false, false);
  }

  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Map<String, Long> lastSeq = new ConcurrentHashMap<>();
  private final LatencyRecorder latency = new LatencyRecorder();
  // Per message: send to its first receiver, and to its last (when all got it).
  private final LatencyRecorder firstDelivery = new LatencyRecorder();
  private final LatencyRecorder lastDelivery = new LatencyRecorder();
  private final AtomicLong outstanding = new AtomicLong();
  private final LongAdder deliveries = new LongAdder();
  private final LongAdder measuredDeliveries = new LongAdder();
  private final LongAdder orderViolations = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final AtomicLong lastDeliveryNanos = new AtomicLong();
  private final Await quiet;
  private volatile long measureFrom = Long.MAX_VALUE;
  private volatile long measureTo = Long.MAX_VALUE;
  // Latency counts from here at the earliest: from the receiver's connect when it was offline.
  private volatile long deliverableFrom = Long.MIN_VALUE;

  DeliveryTracker(Await quiet) {
    this.quiet = quiet;
  }

  /** The measured period starts: later sends count for latency, later deliveries for throughput. */
  void startMeasuring(long nanos) {
    measureFrom = nanos;
  }

  void stopMeasuring(long nanos) {
    measureTo = nanos;
  }

  long measuredNanos() {
    return measureTo - measureFrom;
  }

  /** For receivers that were offline: latency is then counted from their connect, not the send. */
  void deliverableFrom(long nanos) {
    deliverableFrom = nanos;
  }

  void sent(String id, long sentNanos, int receivers) {
    outstanding.addAndGet(receivers);
    pending.put(id, new Pending(sentNanos, receivers));
  }

  void acked(String id) {
    Pending p = pending.get(id);
    if (p != null) {
      p.ack();
    }
  }

  /**
   * The sender gave up on a message the server refused without a retry (such as bad_request).
   * Whether it was stored is unknown, so its deliveries are no longer owed but still welcome.
   */
  void abandoned(String id) {
    Pending p = pending.get(id);
    int owed = p == null ? 0 : p.abandon();
    if (owed > 0 && outstanding.addAndGet(-owed) == 0) {
      quiet.poke();
    }
  }

  /** Called on the receiver's socket thread, so per receiver the calls come in stream order. */
  void delivered(String receiver, String id, String conversationId, long seq, long nanos) {
    deliveries.increment();
    if (nanos >= measureFrom && nanos < measureTo) {
      measuredDeliveries.increment();
    }
    lastDeliveryNanos.accumulateAndGet(nanos, Math::max);
    Long previous = lastSeq.put(receiver + " " + conversationId, seq);
    if (previous != null && seq <= previous) {
      orderViolations.increment();
    }
    Pending p = pending.get(id);
    Outcome outcome = p == null ? Outcome.DUPLICATE : p.deliver(receiver);
    if (!outcome.expected()) {
      duplicates.increment();
      return;
    }
    if (p.sentNanos >= measureFrom) {
      long since = nanos - Math.max(p.sentNanos, deliverableFrom);
      latency.recordNanos(since);
      if (outcome.owed() && outcome.first()) {
        firstDelivery.recordNanos(since);
      }
      if (outcome.owed() && outcome.last()) {
        lastDelivery.recordNanos(since);
      }
    }
    if (outcome.last()) {
      pending.remove(id);
    }
    if (outcome.owed() && outstanding.decrementAndGet() == 0) {
      quiet.poke();
    }
  }

  /** Deliveries still owed, for acked and not yet acked messages alike. */
  long outstanding() {
    return outstanding.get();
  }

  /** Deliveries owed for messages the server acked: those must never go missing. */
  long lost() {
    return pending.values().stream().mapToLong(Pending::lost).sum();
  }

  /** Messages, sent and not given up on, that some receiver has not got (yet). */
  long incomplete() {
    return pending.values().stream().filter(Pending::incomplete).count();
  }

  long deliveries() {
    return deliveries.sum();
  }

  long measuredDeliveries() {
    return measuredDeliveries.sum();
  }

  long orderViolations() {
    return orderViolations.sum();
  }

  long duplicates() {
    return duplicates.sum();
  }

  long lastDeliveryNanos() {
    return lastDeliveryNanos.get();
  }

  LatencyRecorder latency() {
    return latency;
  }

  /** Per measured message: send (or scheduled send) to its first receiver's copy. */
  LatencyRecorder firstDelivery() {
    return firstDelivery;
  }

  /** Per measured message that every receiver got: send to the last receiver's copy. */
  LatencyRecorder lastDelivery() {
    return lastDelivery;
  }
}
