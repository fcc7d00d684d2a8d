package io.parley.gateway.session;

import io.parley.gateway.Entities;
import io.parley.user.DeviceEvent;
import io.parley.user.PresenceNotices;
import io.parley.user.UserActor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Whose presence one {@link Connection} watches, for its client: this node's {@link
 * PresenceNotices} renews the subscriptions to users who come online, and the entities of watched
 * users that last said online are watched in case they stop without saying offline.
 */
final class PresenceWatching {
  /** The entity of a watched user last said online, and stopped: its node failed, or it moved. */
  record WatchedUserStopped(String userId) {}

  private final String userId;
  private final Entities entities;
  private final ActorContext<Object> ctx;
  private Set<String> watched = Set.of();
  /** Entities of watched users that last said online, by user: see {@link #presence}. */
  private final Map<String, ActorRef<UserActor.Command>> onlineWatched = new HashMap<>();

  PresenceWatching(String userId, Entities entities, ActorContext<Object> ctx) {
    this.userId = userId;
    this.entities = entities;
    this.ctx = ctx;
  }

  private ActorRef<DeviceEvent> self() {
    return ctx.getSelf().narrow();
  }

  /** A new run of the user's own entity counts this connection's subscriptions again. */
  void ownEntityRestarted(ActorRef<UserActor.Command> user) {
    if (!watched.isEmpty()) {
      user.tell(new UserActor.WatchPresence(self(), watched, null, null));
    }
  }

  /**
   * A watched user's entity stops only when idle, which it is not while the user is online: if
   * it stops while it last said online, its node failed or it moved, and the offline it would
   * have sent may never come. It is watched then, and asked again once if it stops.
   */
  void presence(DeviceEvent.Presence presence) {
    if (presence.user() == null || presence.userId().equals(userId)) {
      return; // an older node's; or the user's own entity, watched already
    }
    ActorRef<UserActor.Command> before = presence.online()
        ? onlineWatched.put(presence.userId(), presence.user())
        : onlineWatched.remove(presence.userId());
    if (before != null && !(presence.online() && before.equals(presence.user()))) {
      ctx.unwatch(before);
    }
    if (presence.online() && !presence.user().equals(before)) {
      ctx.watchWith(presence.user(), new WatchedUserStopped(presence.userId()));
    }
  }

  void stopped(WatchedUserStopped stopped) {
    onlineWatched.remove(stopped.userId());
    if (watched.contains(stopped.userId())) {
      entities.user(stopped.userId()).tell(new UserActor.RenewPresence(userId, self()));
    }
  }

  /** The client now watches {@code userIds} (none once the connection ends). */
  void watch(Set<String> userIds) {
    PresenceNotices notices = PresenceNotices.get(ctx.getSystem());
    List<String> dropped = watched.stream().filter(id -> !userIds.contains(id)).toList();
    notices.unwatch(userId, self(), dropped);
    dropped.forEach(id -> {
      ActorRef<UserActor.Command> entity = onlineWatched.remove(id);
      if (entity != null) {
        ctx.unwatch(entity);
      }
    });
    notices.watch(userId, self(), userIds.stream().filter(id -> !watched.contains(id)).toList());
    watched = userIds;
  }
}
