package io.parley.gateway.relay;

import io.parley.conversation.GroupMembers;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The large groups of users this node looked up lately, kept current by the membership changes
 * its {@link GroupRelay} hears, so that a device reconnecting (and the inbox it then asks for)
 * needs no lookup: that Query was the only storage read of a reconnect. Thread-safe: connections
 * and the gateway read it, the relay tells it the changes.
 *
 * <p>What is kept may not be older than what a lookup would answer:
 * <ul>
 *   <li>a lookup's answer is kept only if no change for that user was heard while it was on its
 *       way, nor within {@link #INDEX_LAG} before it started (the index it reads follows the
 *       group's rows shortly after they are written, and the change is told once they are);
 *   <li>an answer is kept for {@link #KEEP_FOR} at most, changes applied meanwhile: a change this
 *       node does not hear (cluster pubsub delivers at most once) is wrong here no longer than
 *       that.
 * </ul>
 *
 * <p>A user may be a member of any number of large groups, but what a node does for each of them
 * (an inbox read per group at every {@code inbox.get}, a relay subscription renewed every
 * {@link GroupRelay#RENEW_EVERY}) is bounded: {@link #of} answers at most {@link #maxPerUser()} of them,
 * the first by conversation id ({@code parley.large-groups.max-live-per-user}). The others are
 * read from history and sent to as usual; they are not in the inbox nor heard live.
 */
public final class KnownLargeGroups {
  static final Duration KEEP_FOR = Duration.ofMinutes(5);
  static final Duration INDEX_LAG = Duration.ofSeconds(10);
  /** About 200 bytes each: a few MB of heap on a node that serves tens of thousands of users. */
  static final int MAX_USERS = 50_000;
  /** Without a setting (tests of other things): as many as the default setting. */
  static final int DEFAULT_MAX_PER_USER = 200;

  private record Known(Set<String> groups, long keptAt) {}

  private final GroupMembers rows;
  private final LongSupplier millis;
  private final int maxUsers;
  private final int maxPerUser;
  /** Oldest first. */
  private final LinkedHashMap<String, Known> known = new LinkedHashMap<>();
  /** When a change for the user was last heard, oldest first; only the last {@link #INDEX_LAG}. */
  private final LinkedHashMap<String, Long> changedAt = new LinkedHashMap<>();
  /** Users with a lookup on its way, and whether a change for them was heard meanwhile. */
  private final Map<String, Boolean> lookingUp = new HashMap<>();

  KnownLargeGroups(GroupMembers rows, LongSupplier millis, int maxUsers) {
    this(rows, millis, maxUsers, DEFAULT_MAX_PER_USER);
  }

  KnownLargeGroups(GroupMembers rows, LongSupplier millis, int maxUsers, int maxPerUser) {
    this.rows = rows;
    this.millis = millis;
    this.maxUsers = maxUsers;
    this.maxPerUser = maxPerUser;
  }

  public static KnownLargeGroups over(GroupMembers rows) {
    return over(rows, DEFAULT_MAX_PER_USER);
  }

  static KnownLargeGroups over(GroupMembers rows, int maxPerUser) {
    return new KnownLargeGroups(rows, () -> System.nanoTime() / 1_000_000, MAX_USERS, maxPerUser); // not moved by clock changes
  }

  /** Large groups one user's connection hears, and their inbox reads. */
  int maxPerUser() {
    return maxPerUser;
  }

  /** The large groups {@code userId} is a member of now, as kept or looked up: at most {@link #maxPerUser()}. */
  public CompletionStage<List<String>> of(String userId) {
    synchronized (this) {
      forgetOld(millis.getAsLong());
      Known kept = known.get(userId);
      if (kept != null) {
        return CompletableFuture.completedFuture(firstOf(kept.groups()));
      }
      lookingUp.putIfAbsent(userId, changedAt.containsKey(userId));
    }
    return rows.largeGroupsOf(userId).whenComplete((groups, failure) -> {
      synchronized (this) {
        Boolean changedMeanwhile = lookingUp.remove(userId);
        if (groups != null && Boolean.FALSE.equals(changedMeanwhile)) {
          known.remove(userId);
          known.put(userId, new Known(new LinkedHashSet<>(groups), millis.getAsLong()));
          while (known.size() > maxUsers) {
            known.remove(known.keySet().iterator().next());
          }
        }
      }
    }).thenApply(this::firstOf);
  }

  private List<String> firstOf(Collection<String> groups) {
    return groups.stream().sorted().limit(maxPerUser).toList();
  }

  /** Users joined or left {@code group}: what is kept of them follows. */
  synchronized void changed(String group, List<String> joined, List<String> left) {
    long now = millis.getAsLong();
    forgetOld(now);
    joined.forEach(userId -> heard(userId, now).ifPresent(groups -> groups.add(group)));
    left.forEach(userId -> heard(userId, now).ifPresent(groups -> groups.remove(group)));
  }

  /** A change of {@code userId} was heard now; answers the groups kept of them, if any. */
  private Optional<Set<String>> heard(String userId, long now) {
    changedAt.remove(userId);
    changedAt.put(userId, now);
    lookingUp.replace(userId, true);
    return Optional.ofNullable(known.get(userId)).map(Known::groups);
  }

  private void forgetOld(long now) {
    forgetBefore(known, now - KEEP_FOR.toMillis(), Known::keptAt);
    forgetBefore(changedAt, now - INDEX_LAG.toMillis(), at -> at);
  }

  private static <V> void forgetBefore(LinkedHashMap<String, V> oldestFirst, long before, ToLongFunction<V> at) {
    Iterator<V> values = oldestFirst.values().iterator();
    while (values.hasNext() && at.applyAsLong(values.next()) < before) {
      values.remove();
    }
  }
}
