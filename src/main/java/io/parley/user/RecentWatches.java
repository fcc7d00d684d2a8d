package io.parley.user;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The users a user's connections stopped watching lately (unsubscribed, or the connection closed,
 * died or was replaced), each with when: a connection that watches one again within the window
 * does not wake a user its user's connections had not woken lately, so it is not counted again
 * ({@link PresenceBudget}). A mobile client reconnecting on a flaky network watches its whole
 * contact list again each time.
 *
 * <p>Bounded: an id enters only when a connection stops watching it, and a connection came to
 * watch it either counted against the allowance or free because it was watched within the window
 * already; so the entries within the window are about what the allowance lets in over it (its
 * burst plus its rate times the window: 1,000 + 300 × 10 at defaults), plus what connections
 * watched before this run of the entity (restores) and frames of a node of an earlier version,
 * which are not counted. Older entries go at each use, oldest first (the map keeps the order in
 * which ids were stopped); past {@code cap} the oldest go too, which only makes them count again.
 * Memory only, like the allowance's bucket: a restart or move of the entity forgets it.
 */
final class RecentWatches {
  private final Clock clock;
  private final long windowMillis;
  private final int cap;
  private final LinkedHashMap<String, Long> stoppedAt = new LinkedHashMap<>();

  RecentWatches(Clock clock, Duration window, int cap) {
    this.clock = clock;
    this.windowMillis = window.toMillis();
    this.cap = cap;
  }

  /** No connection of the user watches {@code userIds} from now on (some may watch them still: no matter). */
  void stopped(Collection<String> userIds) {
    if (userIds.isEmpty()) {
      return;
    }
    long now = clock.millis();
    for (String userId : userIds) {
      stoppedAt.remove(userId); // re-inserted at the end: the map stays in the order of the times
      stoppedAt.put(userId, now);
    }
    forgetOld(now);
  }

  /** A connection of the user stopped watching {@code userId} within the window. */
  boolean recent(String userId) {
    long now = clock.millis();
    forgetOld(now);
    Long at = stoppedAt.get(userId);
    return at != null && now - at < windowMillis;
  }

  int size() {
    return stoppedAt.size();
  }

  private void forgetOld(long now) {
    Iterator<Map.Entry<String, Long>> oldestFirst = stoppedAt.entrySet().iterator();
    while (oldestFirst.hasNext()) {
      Map.Entry<String, Long> entry = oldestFirst.next();
      if (now - entry.getValue() < windowMillis && stoppedAt.size() <= cap) {
        return;
      }
      oldestFirst.remove();
    }
  }
}
