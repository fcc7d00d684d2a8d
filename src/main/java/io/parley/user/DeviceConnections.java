package io.parley.user;

import io.parley.conversation.ConversationInfo;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A user's live connections, one per device, and the subscribers to the user's presence: plain
 * actor refs, watched, held only while the {@link UserActor} runs (connections register again
 * after a restart). Sharding finds the UserActor from any node, which makes this the user's
 * connection registry. Connecting and disconnecting are stored (the devices' last activity and
 * the user's last seen); the refs are not. A known device's last activity is stored to within
 * {@link #ACTIVITY_RESOLUTION}: a device that reconnects sooner than that after it was last
 * stored active (a flaky network, an app brought back) costs no write and gets its answer at
 * once.
 */
final class DeviceConnections {
  private final String userId;
  private final ActorContext<UserActor.Command> ctx;
  private final UserSettings settings;
  private final Clock clock;
  private final Runnable backOnline;
  private final Map<String, ActorRef<DeviceEvent>> byDevice = new HashMap<>();
  private final PresenceWatchers presence;
  private final PresenceBudget watching;
  private final MemberLists memberLists;

  /**
   * How stale a stored last activity may be. It decides only which devices count as inactive
   * (after {@code device-inactive-after}, 30 days) and which go first beyond {@code max-devices};
   * a tenth of the inactivity window at most, so that a short window stays exact enough.
   */
  static final Duration ACTIVITY_RESOLUTION = Duration.ofHours(1);

  /** {@code backOnline} runs when a device connects while none was. */
  DeviceConnections(String userId, ActorContext<UserActor.Command> ctx, UserSettings settings, Clock clock,
      MemberLists memberLists, Runnable backOnline) {
    this.userId = userId;
    this.ctx = ctx;
    this.settings = settings;
    this.clock = clock;
    this.backOnline = backOnline;
    this.memberLists = memberLists;
    this.presence = new PresenceWatchers(userId, ctx, memberLists, byDevice::containsValue);
    this.watching = new PresenceBudget(settings.maxWatchedPresence(), clock);
  }

  /** {@code incarnation} is the UserActor's current run, see {@link UserActor.Connected}. */
  void connect(UserState state, UserActor.Connect cmd, StagedWrite write, long incarnation) {
    if (isRegistered(cmd.deviceId(), cmd.connection())) {
      // A periodic re-registration: nothing changed.
      write.ifRefused(() -> cmd.connection().tell(new DeviceEvent.RegistrationRefused()));
      write.then(newState -> cmd.replyTo().tell(connected(newState, cmd.deviceId(), incarnation, true)));
      return;
    }
    if (!byDevice.containsKey(cmd.deviceId()) && byDevice.size() >= settings.maxConnectedDevices()) {
      // Each connected device is a socket and a queue kept for it: one client inventing device
      // ids must not hold more of either than a user's devices would.
      cmd.connection().tell(new DeviceEvent.TooManyDevices(settings.maxConnectedDevices()));
      return;
    }
    long now = clock.millis();
    if (newDeviceRefused(state, cmd.deviceId(), now)) {
      cmd.connection().tell(new DeviceEvent.TooManyNewDevices(settings.maxNewDevicesPerDay()));
      return;
    }
    boolean wasOffline = !online();
    if (wasOffline) {
      backOnline.run();
    }
    register(cmd.deviceId(), cmd.connection());
    if (!activeLately(state, cmd.deviceId(), now)) {
      write.add(new UserActor.DeviceConnected(
          cmd.deviceId(), now, settings.pendingMaxItems(), settings.inactiveBefore(now), settings.maxDevices()));
    }
    write.ifRefused(() -> {
      // Registered only once stored: the connection's retry must store the device, not find it here.
      unregister(cmd.deviceId(), cmd.connection());
      cmd.connection().tell(new DeviceEvent.RegistrationRefused());
    });
    write.then(
        newState -> {
          cmd.replyTo().tell(connected(newState, cmd.deviceId(), incarnation, false));
          if (wasOffline) {
            publishPresence(newState);
            PresenceNotices.get(ctx.getSystem()).online(userId, ctx.getSelf());
          }
        });
  }

  /**
   * A device id new to the user beyond the day's allowance: every new id is a device record kept
   * for weeks and a pending queue held back, so one client inventing ids must not add them
   * without bound. Connected devices not stored yet (this write's) count as new.
   */
  private boolean newDeviceRefused(UserState state, String deviceId, long now) {
    if (state.devices.containsKey(deviceId) || byDevice.containsKey(deviceId)) {
      return false;
    }
    long unstored = byDevice.keySet().stream().filter(id -> !state.devices.containsKey(id)).count();
    return state.newDevicesSince(now) + unstored >= settings.maxNewDevicesPerDay();
  }

  /** The device is known and was stored active within the resolution: storing it again says nothing new. */
  private boolean activeLately(UserState state, String deviceId, long now) {
    UserState.Device device = state.devices.get(deviceId);
    long resolution = Math.min(ACTIVITY_RESOLUTION.toMillis(), settings.deviceInactiveAfter().toMillis() / 10);
    return device != null && now - device.lastActiveTs() < resolution;
  }

  private UserActor.Connected connected(UserState state, String deviceId, long incarnation, boolean alreadyRegistered) {
    // ackedCursor: a device forgotten while connected (beyond the limit, or inactive) starts over.
    return new UserActor.Connected(state.ackedCursor(deviceId), ctx.getSelf(), incarnation,
        alreadyRegistered, state.lastCursor());
  }

  void disconnect(UserState state, UserActor.Disconnect cmd, StagedWrite write) {
    watching.closed(cmd.connection());
    presence.connectionClosed(cmd.connection());
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
    // The device is gone even if its last-seen time could not be stored: watchers must not see it online.
    write.ifRefused(() -> {
      if (!online()) {
        publishPresence(state);
      }
    });
  }

  boolean online() {
    return !byDevice.isEmpty();
  }

  /** Whether every one of {@code devices} is connected now. */
  boolean allConnected(Set<String> devices) {
    return byDevice.keySet().containsAll(devices);
  }

  /**
   * Nothing to serve: no device connected. Presence subscribers do not keep the entity: while no
   * device is connected its presence cannot change, and the devices' next connection tells the
   * subscribers' nodes to subscribe again ({@link PresenceNotices}).
   */
  boolean idle() {
    return byDevice.isEmpty();
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
      watching.closed(previous);
      presence.connectionClosed(previous);
    }
    presence.device(connection);
    ctx.watchWith(connection, new UserActor.Disconnect(deviceId, connection));
  }

  /** False when the connection is not the device's (any more): a newer one replaced it. */
  private boolean unregister(String deviceId, ActorRef<DeviceEvent> connection) {
    if (!isRegistered(deviceId, connection)) {
      return false;
    }
    byDevice.remove(deviceId);
    ctx.unwatch(connection);
    presence.notADevice(connection);
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
   * An {@code inbox.update} to every connected device except {@code exceptDeviceId}. An item whose
   * members the inbox does not keep gets them from {@code info} (what the command brought) or
   * from its conversation, and is then sent to the devices connected now; if that read fails, the
   * update is not sent (the next one, or {@code inbox.get}, shows the entry).
   */
  void inboxUpdate(InboxItem item, ConversationInfo info, String exceptDeviceId) {
    if (item.members() != null || info != null) {
      broadcast(new DeviceEvent.InboxUpdate(item.members() != null ? item : MemberLists.withMembers(item, info)),
          exceptDeviceId);
    } else if (online()) {
      Map<String, ActorRef<DeviceEvent>> devices = Map.copyOf(byDevice);
      org.slf4j.Logger log = ctx.getLog(); // the context is the actor's own: not asked off its thread
      memberLists.complete(item).whenComplete((completed, failure) -> {
        if (failure != null) {
          log.debug("No inbox.update for {}: reading its members failed: {}", item.conversationId(), failure.toString());
          return;
        }
        devices.forEach((deviceId, connection) -> {
          if (!deviceId.equals(exceptDeviceId)) {
            connection.tell(new DeviceEvent.InboxUpdate(completed));
          }
        });
      });
    }
  }

  void presenceChecked(PresenceWatchers.PresenceChecked cmd, UserState state) {
    presence.checked(cmd, state, online());
  }

  void subscribe(UserActor.SubscribePresence cmd, UserState state) {
    presence.subscribe(cmd, state, online());
  }

  void renew(UserActor.RenewPresence cmd, UserState state) {
    presence.renew(cmd, state, online());
  }

  void unsubscribe(UserActor.UnsubscribePresence cmd) {
    presence.unsubscribe(cmd);
  }

  void watchPresence(UserActor.WatchPresence cmd, Allowances allowances) {
    watching.watch(cmd, allowances);
  }

  void pruneWatching() {
    watching.prune(Set.copyOf(byDevice.values()));
  }

  /** After every write: one that changed who shares a conversation changes who sees presence. */
  void inboxChanged(UserState state) {
    presence.inboxChanged(state, online());
  }

  private void publishPresence(UserState state) {
    presence.publish(state, online());
  }
}
