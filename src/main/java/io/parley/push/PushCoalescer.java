package io.parley.push;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which conversations owe an offline user a push, and when it may go: the first after a short
 * gathering delay (so a burst becomes one push), then at most one per conversation per window,
 * always carrying the newest message. Held in memory only: a push is a hint, and the messages
 * themselves wait in the pending queue.
 */
final class PushCoalescer {
  record Due(String conversationId, long seq, String senderId) {}

  private final Duration gatherDelay;
  private final Duration window;
  private final Map<String, Due> waiting = new HashMap<>();
  private final Map<String, Long> lastSentAt = new HashMap<>();

  PushCoalescer(Duration gatherDelay, Duration window) {
    this.gatherDelay = gatherDelay;
    this.window = window;
  }

  /**
   * Notes a newer message. Returns the delay after which to {@link #take} the conversation's push,
   * or empty when one is already waiting (it now carries this message instead).
   */
  Optional<Duration> offer(Due due, long now) {
    boolean alreadyWaiting = waiting.put(due.conversationId(), due) != null;
    if (alreadyWaiting) {
      return Optional.empty();
    }
    lastSentAt.values().removeIf(sentAt -> now - sentAt >= window.toMillis());
    long windowEndsIn = lastSentAt.getOrDefault(due.conversationId(), Long.MIN_VALUE / 2) + window.toMillis() - now;
    return Optional.of(Duration.ofMillis(Math.max(gatherDelay.toMillis(), windowEndsIn)));
  }

  /** The push now due for the conversation, if any; its window starts now. */
  Optional<Due> take(String conversationId, long now) {
    Due due = waiting.remove(conversationId);
    if (due != null) {
      lastSentAt.put(conversationId, now);
    }
    return Optional.ofNullable(due);
  }

  /** Forgets everything when a device connects: the next offline period starts afresh. */
  Set<String> clear() {
    Set<String> dropped = Set.copyOf(waiting.keySet());
    waiting.clear();
    lastSentAt.clear();
    return dropped;
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }
}
