package io.parley.user;

import io.parley.cluster.JsonSerializable;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Brings presence subscriptions back without pinning the watched users' entities. A watched
 * entity holds its subscribers only while it runs, and it may passivate while watched: with no
 * device connected its presence cannot change. When a device of the user connects while none
 * was, the entity tells every node through cluster pubsub ({@link Online}, with its ref), and
 * each node renews the subscriptions of its own connections that watch that user, straight to
 * that ref: the entity answers those it no longer held with the presence now. A node that misses
 * the notice (pubsub delivers at most once) shows the user offline until their next connection.
 *
 * <p>One per actor system: {@link #get}.
 */
public final class PresenceNotices implements Extension {
  /** {@code userId}'s devices connected while none was; {@code user} is its entity now. */
  public record Online(String userId, ActorRef<UserActor.Command> user) implements JsonSerializable {}

  private record Watcher(String subscriberUserId, ActorRef<DeviceEvent> connection) {}

  /** Per watched user, this node's connections that watch them. */
  private final ConcurrentHashMap<String, Set<Watcher>> watchers = new ConcurrentHashMap<>();
  private final ActorRef<Topic.Command<Online>> topic;

  private PresenceNotices(ActorSystem<?> system) {
    topic = system.systemActorOf(Topic.create(Online.class, "presence-online"), "presence-online", Props.empty());
    ActorRef<Online> renewing = system.systemActorOf(
        Behaviors.receiveMessage((Online online) -> {
          renew(online);
          return Behaviors.same();
        }),
        "presence-renew", Props.empty());
    topic.tell(Topic.subscribe(renewing));
  }

  public static PresenceNotices get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /** Tells every node that {@code userId} came online (see above). */
  void online(String userId, ActorRef<UserActor.Command> user) {
    topic.tell(Topic.publish(new Online(userId, user)));
  }

  /** The connection of {@code subscriberUserId} on this node watches {@code userIds} too. */
  public void watch(String subscriberUserId, ActorRef<DeviceEvent> connection, Collection<String> userIds) {
    Watcher watcher = new Watcher(subscriberUserId, connection);
    userIds.forEach(id -> watchers.compute(id, (key, set) -> {
      Set<Watcher> updated = set != null ? set : ConcurrentHashMap.newKeySet();
      updated.add(watcher);
      return updated;
    }));
  }

  /** The connection no longer watches {@code userIds} (it unsubscribed, or closed). */
  public void unwatch(String subscriberUserId, ActorRef<DeviceEvent> connection, Collection<String> userIds) {
    Watcher watcher = new Watcher(subscriberUserId, connection);
    userIds.forEach(id -> watchers.computeIfPresent(id, (key, set) -> {
      set.remove(watcher);
      return set.isEmpty() ? null : set;
    }));
  }

  /** What a notice does on this node: the connections here that watch the user renew their subscriptions. */
  public void renew(Online online) {
    watchers.getOrDefault(online.userId(), Set.of()).forEach(watcher ->
        online.user().tell(new UserActor.RenewPresence(watcher.subscriberUserId(), watcher.connection())));
  }

  private static final class Id extends ExtensionId<PresenceNotices> {
    static final Id INSTANCE = new Id();

    @Override
    public PresenceNotices createExtension(ActorSystem<?> system) {
      return new PresenceNotices(system);
    }
  }
}
