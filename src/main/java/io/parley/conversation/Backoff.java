package io.parley.conversation;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Per key, when something was last sent and how long until it is due again: the schedule of a
 * job that re-sends until it is confirmed ({@link MemberHandoffs}, {@link DeletionNotices},
 * {@link MembershipNotices}). Each re-send doubles the delay, up to a cap, so a recipient that is
 * down or overloaded is not buried under retries. Nothing here is stored: after a restart no key
 * is recorded, and {@link Unrecorded} says what that means to the job.
 */
final class Backoff<K> {
  /** What a key with nothing recorded (after a restart, or forgotten) counts as. */
  enum Unrecorded {
    /**
     * Sent at time 0 with the first delay: due once the first delay has passed since then, and its
     * send is a re-send that doubles. A hand-off's first send predates this run.
     */
    SENT_AT_ZERO,
    /** Never sent: due at once, and its first send does not double. */
    NEVER_SENT
  }

  private record Entry(long lastSentMillis, long delayMillis, int sends) {}

  private final long firstDelayMillis;
  private final long maxDelayMillis;
  private final Unrecorded unrecorded;
  private final Map<K, Entry> entries = new HashMap<>();

  Backoff(Duration firstDelay, long maxDelayMillis, Unrecorded unrecorded) {
    this.firstDelayMillis = firstDelay.toMillis();
    this.maxDelayMillis = maxDelayMillis;
    this.unrecorded = unrecorded;
  }

  /** Whether {@code key}'s delay has passed since it was last sent. */
  boolean isDue(K key, long nowMillis) {
    Entry entry = entries.get(key);
    if (entry == null) {
      return unrecorded == Unrecorded.NEVER_SENT || nowMillis >= firstDelayMillis;
    }
    return nowMillis - entry.lastSentMillis() >= entry.delayMillis();
  }

  /**
   * {@code key} was sent afresh (something new, not a retry): due again after its current delay,
   * which does not grow.
   */
  void sent(K key, long nowMillis) {
    Entry entry = entries.get(key);
    entries.put(key, entry == null
        ? new Entry(nowMillis, firstDelayMillis, 1)
        : new Entry(nowMillis, entry.delayMillis(), entry.sends() + 1));
  }

  /** {@code key} was sent again because it was due: its delay doubles, up to the cap. */
  void resent(K key, long nowMillis) {
    Entry entry = entries.get(key);
    if (entry == null && unrecorded == Unrecorded.NEVER_SENT) {
      sent(key, nowMillis);
      return;
    }
    long delay = entry == null ? firstDelayMillis : entry.delayMillis();
    int sends = entry == null ? 1 : entry.sends() + 1;
    entries.put(key, new Entry(nowMillis, Math.min(2 * delay, maxDelayMillis), sends));
  }

  /** {@code key} made progress: its next retry waits the first delay again, from its last send. */
  void resetDelay(K key) {
    entries.computeIfPresent(key, (k, e) -> new Entry(e.lastSentMillis(), firstDelayMillis, e.sends()));
  }

  /** How often {@code key} was sent since it was recorded (0 if it is not). */
  int sends(K key) {
    Entry entry = entries.get(key);
    return entry == null ? 0 : entry.sends();
  }

  void forget(K key) {
    entries.remove(key);
  }

  void forgetIf(Predicate<K> test) {
    entries.keySet().removeIf(test);
  }

  /** The keys recorded, a copy: a caller may forget them as it goes. */
  List<K> keys() {
    return List.copyOf(entries.keySet());
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }
}
