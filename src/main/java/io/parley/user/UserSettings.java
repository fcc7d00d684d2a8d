package io.parley.user;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The UserActor's limits, from {@code parley.user}, push coalescing from {@code parley.push}, and
 * the presence a user's connections may watch from {@code parley.presence}.
 */
public record UserSettings(
    int pendingMaxItems,
    int pendingIdBytes,
    Duration deviceInactiveAfter,
    int maxDevices,
    int inboxMaxEntries,
    int inboxMemberBytes,
    Duration passivateAfterIdle,
    int snapshotEvery,
    Duration lazyAckDelay,
    Duration ackSyncWait,
    Duration pushGatherDelay,
    Duration pushCoalesceWindow,
    int maxConnectedDevices,
    int maxNewDevicesPerDay,
    int maxWatchedPresence) {

  /** The default of {@code max-connected-devices}, for settings made in code. */
  static final int MAX_CONNECTED_DEVICES = 10;
  /** The default of {@code max-new-devices-per-day}, for settings made in code. */
  static final int MAX_NEW_DEVICES_PER_DAY = 20;
  /** The default of {@code parley.presence.max-watched-per-user}, for settings made in code. */
  static final int MAX_WATCHED_PRESENCE = 1000;

  public UserSettings(int pendingMaxItems, int pendingIdBytes, Duration deviceInactiveAfter, int maxDevices,
      int inboxMaxEntries, int inboxMemberBytes, Duration passivateAfterIdle, int snapshotEvery,
      Duration lazyAckDelay, Duration ackSyncWait, Duration pushGatherDelay, Duration pushCoalesceWindow,
      int maxConnectedDevices) {
    this(pendingMaxItems, pendingIdBytes, deviceInactiveAfter, maxDevices, inboxMaxEntries, inboxMemberBytes,
        passivateAfterIdle, snapshotEvery, lazyAckDelay, ackSyncWait, pushGatherDelay, pushCoalesceWindow,
        maxConnectedDevices, MAX_NEW_DEVICES_PER_DAY, MAX_WATCHED_PRESENCE);
  }

  public UserSettings(int pendingMaxItems, int pendingIdBytes, Duration deviceInactiveAfter, int maxDevices,
      int inboxMaxEntries, int inboxMemberBytes, Duration passivateAfterIdle, int snapshotEvery,
      Duration lazyAckDelay, Duration ackSyncWait, Duration pushGatherDelay, Duration pushCoalesceWindow) {
    this(pendingMaxItems, pendingIdBytes, deviceInactiveAfter, maxDevices, inboxMaxEntries, inboxMemberBytes,
        passivateAfterIdle, snapshotEvery, lazyAckDelay, ackSyncWait, pushGatherDelay, pushCoalesceWindow,
        MAX_CONNECTED_DEVICES);
  }

  /** Devices not seen since this time no longer hold items back, as of {@code now}. */
  public long inactiveBefore(long now) {
    return now - deviceInactiveAfter.toMillis();
  }

  public static UserSettings from(Config config) {
    Config c = config.getConfig("parley.user");
    return new UserSettings(
        c.getInt("pending-max-items"),
        (int) c.getBytes("pending-id-bytes").longValue(),
        c.getDuration("device-inactive-after"),
        c.getInt("max-devices"),
        c.getInt("inbox-max-entries"),
        (int) c.getBytes("inbox-member-bytes").longValue(),
        c.getDuration("passivate-after-idle"),
        c.getInt("snapshot-every"),
        c.getDuration("lazy-ack-delay"),
        c.getDuration("ack-sync-wait"),
        config.getDuration("parley.push.gather-delay"),
        config.getDuration("parley.push.coalesce-window"),
        c.getInt("max-connected-devices"),
        c.getInt("max-new-devices-per-day"),
        config.getInt("parley.presence.max-watched-per-user"));
  }
}
