package io.parley.user;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A user's live connections, one per device, and the subscribers to the user's presence: plain
 * actor refs, watched, held only while the {@link UserActor} runs (connections register again
 * after a restart). Sharding finds the UserActor from any node, which makes this the user's
 * connection registry.
 */
final class DeviceConnections {
  private final String userId;
  private final ActorContext<UserActor.Command> ctx;
  private final Map<String, ActorRef<DeviceEvent>> byDevice = new HashMap<>();
  private final Set<ActorRef<DeviceEvent>> presenceSubscribers = new HashSet<>();

  DeviceConnections(String userId, ActorContext<UserActor.Command> ctx) {
    this.userId = userId;
    this.ctx = ctx;
  }

  boolean online() {
    return !byDevice.isEmpty();
  }

  /** Nothing to serve: no device connected and nobody watching the presence. */
  boolean idle() {
    return byDevice.isEmpty() && presenceSubscribers.isEmpty();
  }

  boolean isRegistered(String deviceId, ActorRef<DeviceEvent> connection) {
    return connection.equals(byDevice.get(deviceId));
  }

  /** The device's connection from now on; an earlier one of the device is told it was replaced. */
  void register(String deviceId, ActorRef<DeviceEvent> connection) {
    ActorRef<DeviceEvent> previous = byDevice.put(deviceId, connection);
    if (previous != null) {
      previous.tell(new DeviceEvent.Replaced());
      ctx.unwatch(previous);
    }
    ctx.watchWith(connection, new UserActor.ConnectionTerminated(deviceId, connection));
  }

  /** False when the connection is not the device's (any more): a newer one replaced it. */
  boolean unregister(String deviceId, ActorRef<DeviceEvent> connection) {
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

  void subscribe(ActorRef<DeviceEvent> subscriber, long lastSeen) {
    if (presenceSubscribers.add(subscriber)) {
      ctx.watchWith(subscriber, new UserActor.SubscriberTerminated(subscriber));
    }
    subscriber.tell(presence(lastSeen));
  }

  void unsubscribe(ActorRef<DeviceEvent> subscriber) {
    if (presenceSubscribers.remove(subscriber)) {
      ctx.unwatch(subscriber);
    }
  }

  void publishPresence(long lastSeen) {
    DeviceEvent.Presence presence = presence(lastSeen);
    presenceSubscribers.forEach(subscriber -> subscriber.tell(presence));
  }

  private DeviceEvent.Presence presence(long lastSeen) {
    return new DeviceEvent.Presence(userId, online(), lastSeen);
  }
}
