package io.parley.user;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Whose presence a user's connections watch, counted across all of them: each watched user may
 * be woken by a subscription, so one user's many connections must not multiply the per-connection
 * bound. Held in memory by the user's own entity, which its connections keep running; a
 * connection tells it its whole set after each change, and again when it registers with a new
 * run of the entity.
 */
final class PresenceBudget {
  /**
   * How long after the user's connections stopped watching a user watching it again is not
   * counted: longer than a flaky mobile network's reconnects take, short enough that a client
   * cycling through users it watched once pays for them again.
   */
  static final Duration RECENTLY = Duration.ofMinutes(10);
  /**
   * Ids remembered as stopped lately, per user the connections may watch at once: room for what
   * the allowance lets in over {@link #RECENTLY} at defaults and for ids watched uncounted
   * ({@link RecentWatches}).
   */
  private static final int RECENT_PER_WATCHED = 10;
  private final int maxWatched;
  private final RecentWatches recent;
  private final Map<ActorRef<DeviceEvent>, Set<String>> byConnection = new HashMap<>();
  /** Connections that were not registered at the last prune: dropped at the next if still not. */
  private final Set<ActorRef<DeviceEvent>> unregistered = new HashSet<>();

  PresenceBudget(int maxWatched, Clock clock) {
    this.maxWatched = maxWatched;
    this.recent = new RecentWatches(clock, RECENTLY, RECENT_PER_WATCHED * maxWatched);
  }

  /**
   * The connection now watches {@code cmd.userIds()}; refused whole if the user's connections
   * would then watch more than the bound, or if the users new to this connection are more than
   * the allowance holds now. Cost nothing: those it watches already, those another connection
   * of the user watches now, and those one stopped watching within {@link #RECENTLY} (a client
   * reconnecting watches its contacts again; their entities were woken lately, or are awake). A
   * restore ({@code replyTo} null) is what the connection already watches: recorded, never
   * refused nor counted.
   */
  void watch(UserActor.WatchPresence cmd, Allowances allowances) {
    Set<String> before = byConnection.getOrDefault(cmd.connection(), Set.of());
    int inAllBefore = watchedInAll();
    put(cmd.connection(), Set.copyOf(cmd.userIds()));
    if (cmd.replyTo() == null) {
      stopped(before, cmd.userIds());
      return;
    }
    int inAll = watchedInAll();
    if (inAll > maxWatched && inAll > inAllBefore) {
      put(cmd.connection(), before);
      cmd.replyTo().tell(Outcome.rejected(Outcome.Reason.BAD_REQUEST,
          "a user's connections may watch the presence of at most " + maxWatched
              + " users in all (parley.presence.max-watched-per-user); unsubscribe some first"));
      return;
    }
    if (cmd.allowance() != null) { // null: the asker's node is of an earlier version (see WatchPresence)
      Set<String> byOthers = watchedByOthers(cmd.connection());
      int newlyWatched = (int) cmd.userIds().stream()
          .filter(id -> !before.contains(id) && !byOthers.contains(id) && !recent.recent(id))
          .count();
      long retryAfterMs = newlyWatched == 0 ? 0 : allowances.spendNewWatches(newlyWatched, cmd.allowance());
      if (retryAfterMs > 0) {
        put(cmd.connection(), before);
        cmd.replyTo().tell(Outcome.rateLimited("too many users newly watched; slow down", retryAfterMs));
        return;
      }
    }
    stopped(before, cmd.userIds());
    cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
  }

  /** The connection closed, or another took over its device. */
  void closed(ActorRef<DeviceEvent> connection) {
    forget(connection);
    unregistered.remove(connection);
  }

  /**
   * Drops the sets of connections not registered as a device twice in a row (one that watched
   * before it registered and then vanished unseen, with its node).
   */
  void prune(Set<ActorRef<DeviceEvent>> registered) {
    unregistered.removeIf(connection -> {
      if (!registered.contains(connection)) {
        forget(connection);
      }
      return true;
    });
    byConnection.keySet().stream().filter(connection -> !registered.contains(connection)).forEach(unregistered::add);
  }

  int watchedInAll() {
    Set<String> all = new HashSet<>();
    byConnection.values().forEach(all::addAll);
    return all.size();
  }

  /** The connection watches no one from now on: what it watched was stopped now. */
  private void forget(ActorRef<DeviceEvent> connection) {
    Set<String> watched = byConnection.remove(connection);
    if (watched != null) {
      recent.stopped(watched);
    }
  }

  private Set<String> watchedByOthers(ActorRef<DeviceEvent> connection) {
    Set<String> others = new HashSet<>();
    byConnection.forEach((other, watched) -> {
      if (!other.equals(connection)) {
        others.addAll(watched);
      }
    });
    return others;
  }

  /** Of what a connection watched {@code before}, the users it no longer watches in {@code now}. */
  private void stopped(Set<String> before, Set<String> now) {
    recent.stopped(before.stream().filter(id -> !now.contains(id)).toList());
  }

  private void put(ActorRef<DeviceEvent> connection, Set<String> watched) {
    if (watched.isEmpty()) {
      byConnection.remove(connection);
    } else {
      byConnection.put(connection, watched);
    }
  }
}
