package io.parley.user;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A user's live connections, one per device, and the subscribers to the user's presence: plain
 * actor refs, watched, held only while the {@link UserActor} runs (connections register again
 * after a restart). Sharding finds the UserActor from any node, which makes this the user's
 * connection registry. Connecting and disconnecting are stored (the devices' last activity and
 * the user's last seen); the refs are not.
 */
final class DeviceConnections {
  private final String userId;
  private final ActorContext<UserActor.Command> ctx;
  private final UserSettings settings;
  private final Clock clock;
  private final Runnable backOnline;
  private final Map<String, ActorRef<DeviceEvent>> byDevice = new HashMap<>();
  /** Each subscriber's connection, and the user it belongs to: whose access is checked. */
  private final Map<ActorRef<DeviceEvent>, String> presenceSubscribers = new HashMap<>();

  /** {@code backOnline} runs when a device connects while none was. */
  DeviceConnections(String userId, ActorContext<UserActor.Command> ctx, UserSettings settings, Clock clock,
      Runnable backOnline) {
    this.userId = userId;
    this.ctx = ctx;
    this.settings = settings;
    this.clock = clock;
    this.backOnline = backOnline;
  }

  /** {@code incarnation} is the UserActor's current run, see {@link UserActor.Connected}. */
  void connect(UserActor.Connect cmd, StagedWrite write, long incarnation) {
    if (isRegistered(cmd.deviceId(), cmd.connection())) {
      // A periodic re-registration: nothing changed.
      write.then(newState -> cmd.replyTo().tell(connected(newState, cmd.deviceId(), incarnation, true)));
      return;
    }
    boolean wasOffline = !online();
    if (wasOffline) {
      backOnline.run();
    }
    register(cmd.deviceId(), cmd.connection());
    long now = clock.millis();
    write.add(new UserActor.DeviceConnected(
        cmd.deviceId(), now, settings.pendingMaxItems(), settings.inactiveBefore(now), settings.maxDevices()));
    write.then(
        newState -> {
          cmd.replyTo().tell(connected(newState, cmd.deviceId(), incarnation, false));
          if (wasOffline) {
            publishPresence(newState);
          }
        });
  }

  private UserActor.Connected connected(UserState state, String deviceId, long incarnation, boolean alreadyRegistered) {
    // ackedCursor: a device forgotten while connected (beyond the limit, or inactive) starts over.
    return new UserActor.Connected(state.ackedCursor(deviceId), ctx.getSelf(), incarnation,
        alreadyRegistered, state.lastCursor());
  }

  void disconnect(UserActor.Disconnect cmd, StagedWrite write) {
    if (!unregister(cmd.deviceId(), cmd.connection())) {
      return; // already replaced by a newer connection
    }
    write.add(new UserActor.DeviceDisconnected(cmd.deviceId(), clock.millis()));
    write.then(
        newState -> {
          if (!online()) {
            publishPresence(newState);
          }
        });
  }

  boolean online() {
    return !byDevice.isEmpty();
  }

  /** Nothing to serve: no device connected and nobody watching the presence. */
  boolean idle() {
    return byDevice.isEmpty() && presenceSubscribers.isEmpty();
  }

  private boolean isRegistered(String deviceId, ActorRef<DeviceEvent> connection) {
    return connection.equals(byDevice.get(deviceId));
  }

  /** The device's connection from now on; an earlier one of the device is told it was replaced. */
  private void register(String deviceId, ActorRef<DeviceEvent> connection) {
    ActorRef<DeviceEvent> previous = byDevice.put(deviceId, connection);
    if (previous != null) {
      previous.tell(new DeviceEvent.Replaced());
      ctx.unwatch(previous);
    }
    ctx.watchWith(connection, new UserActor.Disconnect(deviceId, connection));
  }

  /** False when the connection is not the device's (any more): a newer one replaced it. */
  private boolean unregister(String deviceId, ActorRef<DeviceEvent> connection) {
    if (!isRegistered(deviceId, connection)) {
      return false;
    }
    byDevice.remove(deviceId);
    ctx.unwatch(connection);
    return true;
  }

  /** Sends to every connected device except {@code exceptDeviceId} (null: to all). */
  void broadcast(DeviceEvent event, String exceptDeviceId) {
    byDevice.forEach(
        (deviceId, connection) -> {
          if (!deviceId.equals(exceptDeviceId)) {
            connection.tell(event);
          }
        });
  }

  /**
   * Only users who share a conversation with this one (as the inbox records it) may watch its
   * presence; anyone else is told {@link DeviceEvent.PresenceHidden}, whoever this user is.
   */
  void subscribe(UserActor.SubscribePresence cmd, UserState state) {
    ActorRef<DeviceEvent> subscriber = cmd.subscriber();
    if (!mayWatch(cmd.subscriberUserId(), state)) {
      unsubscribe(new UserActor.UnsubscribePresence(subscriber));
      subscriber.tell(new DeviceEvent.PresenceHidden(userId));
      return;
    }
    if (presenceSubscribers.put(subscriber, cmd.subscriberUserId()) == null) {
      ctx.watchWith(subscriber, new UserActor.UnsubscribePresence(subscriber));
    }
    subscriber.tell(presence(state.lastSeen));
  }

  /**
   * Subscriptions live in memory: a renewal after a move or restart brings them back. Each
   * renewal is checked again, so a subscriber who no longer shares a conversation (left the last
   * one) is dropped and told so by the next renewal at the latest.
   */
  void renew(UserActor.RenewPresence cmd, UserState state) {
    boolean known = presenceSubscribers.containsKey(cmd.subscriber());
    boolean allowed = mayWatch(cmd.subscriberUserId(), state);
    if (known != allowed) {
      subscribe(new UserActor.SubscribePresence(cmd.subscriberUserId(), cmd.subscriber()), state);
    }
  }

  void unsubscribe(UserActor.UnsubscribePresence cmd) {
    if (presenceSubscribers.remove(cmd.subscriber()) != null) {
      ctx.unwatch(cmd.subscriber());
    }
  }

  private boolean mayWatch(String subscriberUserId, UserState state) {
    return userId.equals(subscriberUserId)
        || (subscriberUserId != null && state.inbox.sharesConversationWith(subscriberUserId));
  }

  /** Subscribers who lost access since they subscribed are dropped rather than told. */
  private void publishPresence(UserState state) {
    DeviceEvent.Presence presence = presence(state.lastSeen);
    Map.copyOf(presenceSubscribers).forEach((subscriber, subscriberUserId) -> {
      if (mayWatch(subscriberUserId, state)) {
        subscriber.tell(presence);
      } else {
        subscribe(new UserActor.SubscribePresence(subscriberUserId, subscriber), state);
      }
    });
  }

  private DeviceEvent.Presence presence(long lastSeen) {
    return new DeviceEvent.Presence(userId, online(), lastSeen);
  }
}
