package io.parley.gateway.session;

import io.parley.user.DeviceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Live items that reached a {@link Connection} while it re-delivered pending ones, kept in cursor
 * order to follow the re-delivery. Bounded: one that does not fit is dropped, which is safe since
 * it is pending, and the connection reads it with another re-delivery.
 */
final class HeldItems {
  static final int MAX = 1_000;

  private final TreeMap<Long, DeviceEvent.StreamItem> items = new TreeMap<>();
  private boolean dropped;

  void hold(DeviceEvent.StreamItem item) {
    if (items.size() < MAX || items.containsKey(item.cursor())) {
      items.put(item.cursor(), item);
    } else {
      dropped = true;
    }
  }

  /** The items held, oldest first; afterwards none is held. */
  List<DeviceEvent.StreamItem> takeAll() {
    List<DeviceEvent.StreamItem> all = new ArrayList<>(items.values());
    items.clear();
    return all;
  }

  /** Whether an item was dropped since the last call. */
  boolean takeDropped() {
    boolean was = dropped;
    dropped = false;
    return was;
  }
}
