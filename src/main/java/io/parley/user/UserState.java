package io.parley.user;

import io.parley.cluster.JsonSerializable;
import io.parley.push.PushToken;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a user's events add up to: the delivery stream (next cursor, pending items, each device's
 * ack), the inbox, when the user was last seen, and the push tokens.
 *
 * <p>The {@code apply} methods are the {@link UserActor}'s event handler. They are pure: every
 * limit they enforce comes with the event, so the same events give the same state under any
 * configuration. The state is mutable for speed; the snapshot store gets a {@link #copy}.
 */
public final class UserState implements JsonSerializable {
  public record Device(long ackedCursor, long lastActiveTs) implements JsonSerializable {}

  static final int MAX_PUSH_TOKENS = 20;

  // Events stored before they carried their limits read them as 0. They were decided under the
  // defaults of that time (parley.user in application.conf), so 0 stands for those.
  static final int FORMER_PENDING_MAX_ITEMS = 10_000;
  static final int FORMER_INBOX_MAX_ENTRIES = 1_000;
  static final long FORMER_DEVICE_INACTIVE_AFTER_MS = Duration.ofDays(30).toMillis();

  public long nextCursor = 1;
  public PendingQueue pending = new PendingQueue();
  public HashMap<String, Device> devices = new HashMap<>();
  /**
   * Devices forgotten (beyond the device limit, or inactive), the latest last, at most
   * {@link #MAX_FORGOTTEN_DEVICES}: one that comes back resumes after its own ack, so its
   * re-delivery tells it what is gone ({@code pending_dropped}) rather than skip it unsaid.
   */
  public LinkedHashMap<String, Device> forgotten = new LinkedHashMap<>();

  static final int MAX_FORGOTTEN_DEVICES = 20;
  /** Per conversation, the highest seq stored: hand-offs at or below it are repeats. */
  public HashMap<String, Long> storedThrough = new HashMap<>();
  public Inbox inbox = new Inbox();
  /** The last device's disconnect; see {@link #lastSeenTs()}. */
  public long lastSeen;
  public LinkedHashSet<PushToken> pushTokens = new LinkedHashSet<>();
  /** The account's erasure, under way or done; null if never asked for ({@link Erasure}). */
  public Erasure.Progress erasure;
  /** When device ids new to the user first connected, within the last {@link #NEW_DEVICES_WINDOW}, oldest first. */
  public ArrayList<Long> newDevices = new ArrayList<>();

  static final Duration NEW_DEVICES_WINDOW = Duration.ofDays(1);

  /** Who may add the user to groups, their invites, their daily quota ({@link GroupConsent}). */
  public ConsentState consent = new ConsentState();

  long lastCursor() {
    return nextCursor - 1;
  }

  /** How far the device has acked; a device never known starts at the oldest item held. */
  long ackedCursor(String deviceId) {
    Device device = devices.getOrDefault(deviceId, forgotten.get(deviceId));
    return device == null ? pending.startCursor(nextCursor) : device.ackedCursor();
  }

  private void forget(String deviceId) {
    remember(deviceId, devices.remove(deviceId));
  }

  /** {@code device}, just removed from {@link #devices}, is kept among the forgotten. */
  private void remember(String deviceId, Device device) {
    forgotten.remove(deviceId);
    forgotten.put(deviceId, device);
    while (forgotten.size() > MAX_FORGOTTEN_DEVICES) {
      forgotten.remove(forgotten.keySet().iterator().next());
    }
  }

  /** Device ids new to the user that connected within the window before {@code now}. */
  int newDevicesSince(long now) {
    long since = now - NEW_DEVICES_WINDOW.toMillis();
    return (int) newDevices.stream().filter(ts -> ts > since).count();
  }

  /** Pending items after {@code afterCursor}, oldest first, at most {@code limit}. */
  UserActor.PendingPage pendingPage(long afterCursor, int limit) {
    List<UserActor.PendingDelivery> page = pending.after(afterCursor).entrySet().stream()
        .limit(limit + 1L)
        .map(e -> new UserActor.PendingDelivery(e.getKey(), e.getValue()))
        .toList();
    boolean more = page.size() > limit;
    return new UserActor.PendingPage(more ? page.subList(0, limit) : page, more);
  }

  /**
   * What {@code GET /v1/me/export} shows, a copy; inbox items whose members the inbox does not
   * keep have none yet ({@link InboxCommands#export} reads them).
   */
  UserActor.ExportData exportData() {
    TreeSet<String> conversations = new TreeSet<>(storedThrough.keySet());
    List<InboxItem> entries = inbox.page(Integer.MAX_VALUE, InboxCursor.NEWEST);
    entries.forEach(item -> conversations.add(item.conversationId()));
    Map<String, Device> known = new HashMap<>(forgotten); // held too: the export names them
    known.putAll(devices);
    return new UserActor.ExportData(
        Map.copyOf(known), List.copyOf(pushTokens), entries, List.copyOf(conversations), lastSeenTs());
  }

  /**
   * When the user was last seen: the last disconnect, or later what is stored of a device (its
   * connection, an ack) when its node failed before a disconnect could be stored.
   */
  long lastSeenTs() {
    long seen = lastSeen;
    for (Device device : devices.values()) {
      seen = Math.max(seen, device.lastActiveTs());
    }
    return seen;
  }

  /** Per conversation, the highest seq among the items after one cursor through another. */
  Map<String, Long> seqsBetween(long afterCursor, long throughCursor) {
    Map<String, Long> through = new HashMap<>();
    pending.between(afterCursor, throughCursor).values().stream()
        .filter(PendingQueue.Item::isMessage) // a receipt or deletion acked is no message delivered
        .forEach(item -> through.merge(item.conversationId(), item.seq(), Math::max));
    return through;
  }

  // ---------------------------------------------------------------------------- event handler

  UserState apply(String userId, UserActor.MessagesStored e) {
    for (PendingQueue.Item item : e.items()) {
      pending.add(nextCursor++, item);
    }
    PendingQueue.Item last = e.items().get(e.items().size() - 1);
    storedThrough.put(last.conversationId(), last.seq());
    inbox.addMessages(userId, e.info(), last.conversationId(), e.items(),
        new InboxPreview(e.preview(), e.previewKeyId()), e.inboxMemberBytes(), e.tombstones(),
        e.readThrough(), e.unreadBefore());
    inbox.dropOldestBeyond(orFormer(e.inboxMaxEntries(), FORMER_INBOX_MAX_ENTRIES));
    trimPending(last.serverTs(), e.inactiveBefore(), e.pendingMaxItems(), e.pendingIdBytes());
    return this;
  }

  UserState apply(UserActor.PreviewDeleted e) {
    inbox.messagesGone(e.conversationId(), e.seq(), e.tombstones());
    return this;
  }

  UserState apply(UserActor.NoticeStored e) {
    pending.add(nextCursor++, e.item());
    trimPending(e.item().serverTs(), e.inactiveBefore(), e.pendingMaxItems(), e.pendingIdBytes());
    return this;
  }

  UserState apply(String userId, UserActor.MembershipChanged e) {
    String conversationId = e.info().conversationId();
    // One the inbox dropped (messages stored, no entry) returns with its next message, whose
    // hand-off brings what it shows and what is unread: made anew here, it would show neither.
    boolean dropped = inbox.get(conversationId).isEmpty() && storedThrough.containsKey(conversationId);
    if (!dropped) {
      inbox.update(userId, e.info(), e.lastMessageTs(), e.inboxMemberBytes());
    }
    if (!e.info().members().contains(userId)) {
      // A former member gets no hand-offs; one added again starts where the conversation says.
      storedThrough.remove(conversationId);
    }
    inbox.dropOldestBeyond(orFormer(e.inboxMaxEntries(), FORMER_INBOX_MAX_ENTRIES));
    return this;
  }

  UserState apply(UserActor.DeviceConnected e) {
    // Trim first: a device back after the inactivity window has lost its pending items
    // (PROTOCOL), so it must not count as active while the trim decides that. Forgotten, it then
    // resumes after its own ack: its re-delivery skips what is gone, and says so.
    trimPending(e.ts(), e.inactiveBefore(), e.pendingMaxItems(), 0);
    if (!devices.containsKey(e.deviceId())) {
      newDevices.removeIf(ts -> ts <= e.ts() - NEW_DEVICES_WINDOW.toMillis());
      newDevices.add(e.ts());
    }
    devices.put(e.deviceId(), new Device(ackedCursor(e.deviceId()), e.ts()));
    forgotten.remove(e.deviceId());
    if (e.maxDevices() > 0 && devices.size() > e.maxDevices()) {
      // The least recently seen go first; what only they held back goes with them.
      devices.entrySet().stream()
          .filter(device -> !device.getKey().equals(e.deviceId()))
          .sorted(java.util.Comparator.comparingLong(device -> device.getValue().lastActiveTs()))
          .limit(devices.size() - e.maxDevices())
          .map(java.util.Map.Entry::getKey)
          .toList()
          .forEach(this::forget);
      trimPending(e.ts(), e.inactiveBefore(), e.pendingMaxItems(), 0);
    }
    return this;
  }

  UserState apply(UserActor.DeviceDisconnected e) {
    devices.computeIfPresent(e.deviceId(), (id, d) -> new Device(d.ackedCursor(), e.ts()));
    lastSeen = e.ts();
    return this;
  }

  UserState apply(UserActor.DeviceAcked e) {
    // Cumulative: an ack never moves a device's cursor back.
    Device device = devices.get(e.deviceId());
    long cursor = device == null ? e.cursor() : Math.max(device.ackedCursor(), e.cursor());
    devices.put(e.deviceId(), new Device(cursor, e.ts()));
    forgotten.remove(e.deviceId()); // one forgotten while connected is known again
    trimPending(e.ts(), e.inactiveBefore(), e.pendingMaxItems(), 0);
    return this;
  }

  UserState apply(UserActor.ConversationRead e) {
    inbox.markRead(e.conversationId(), e.seq());
    return this;
  }

  UserState apply(UserActor.PushTokenAdded e) {
    pushTokens.remove(e.token()); // registered again: the newest now
    pushTokens.add(e.token());
    while (pushTokens.size() > MAX_PUSH_TOKENS) {
      pushTokens.remove(pushTokens.iterator().next());
    }
    return this;
  }

  UserState apply(UserActor.PushTokenRemoved e) {
    pushTokens.remove(e.token());
    return this;
  }

  /**
   * Drops what every device has acked. Devices unseen since {@code inactiveBefore} no longer
   * hold items back; with no device left, items older than that go. Beyond {@code maxItems}, or
   * {@code maxIdBytes} of distinct ids (0: no bound), the oldest go even if not acked: a device
   * that missed them is told when it reconnects ({@code pending_dropped}). Only the events that
   * add items carry {@code maxIdBytes}: the others add no ids.
   */
  private void trimPending(long ts, long inactiveBefore, int maxItems, long maxIdBytes) {
    long cutoff = inactiveBefore == 0 ? ts - FORMER_DEVICE_INACTIVE_AFTER_MS : inactiveBefore;
    // Runs with every message and ack: removed in place, with nothing built for the devices kept.
    for (var it = devices.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Device> device = it.next();
      if (device.getValue().lastActiveTs() < cutoff) {
        it.remove();
        remember(device.getKey(), device.getValue());
      }
    }
    if (devices.isEmpty()) {
      pending.dropOlderThan(cutoff);
    } else {
      pending.dropThrough(devices.values().stream().mapToLong(Device::ackedCursor).min().orElseThrow());
    }
    pending.dropOldestBeyond(orFormer(maxItems, FORMER_PENDING_MAX_ITEMS), maxIdBytes);
  }

  private static int orFormer(int limit, int formerLimit) {
    return limit == 0 ? formerLimit : limit;
  }

  UserState copy() {
    UserState copy = new UserState();
    copy.nextCursor = nextCursor;
    copy.pending = pending.copy();
    copy.devices = new HashMap<>(devices);
    copy.forgotten = new LinkedHashMap<>(forgotten);
    copy.storedThrough = new HashMap<>(storedThrough);
    copy.inbox = inbox.copy();
    copy.lastSeen = lastSeen;
    copy.pushTokens = new LinkedHashSet<>(pushTokens);
    copy.erasure = erasure;
    copy.newDevices = new ArrayList<>(newDevices);
    copy.consent = consent.copy();
    return copy;
  }
}
