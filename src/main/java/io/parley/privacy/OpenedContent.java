package io.parley.privacy;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Content this node sealed or opened lately, so that it is not opened again: a fixed table of
 * slots chosen by the sealed text's hash, one entry each, the newer one taking a slot. A large
 * group's message reaches every connection of its members on the node one after another, each
 * asking for the same content; a 1:1 message is sealed and shown on the same node. A bounded cache
 * with an eviction policy cost more per message than the AES it saved (docs/performance.md).
 *
 * <p>An entry answers only for the same key, place and sealed text; ask only once the key is
 * known to be there, so that content of an erased key is never read from here.
 */
final class OpenedContent {
  /** Slots in the table. */
  static final int SLOTS = 4096;
  /** Characters of sealed and plain content an entry may hold: larger content is opened each time. */
  static final int LARGEST = 1024;

  private record Entry(String userId, String keyId, String place, String sealed, String plain) {
    boolean is(ContentKey key, String place, String sealed) {
      return this.sealed.equals(sealed) && this.place.equals(place) && keyId.equals(key.keyId())
          && userId.equals(key.userId());
    }
  }

  private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);

  /** The plain text of {@code sealed} at {@code place} under {@code key}, if this node has it; else null. */
  String get(ContentKey key, String place, String sealed) {
    Entry entry = slots.get(slot(sealed));
    return entry != null && entry.is(key, place, sealed) ? entry.plain : null;
  }

  void put(ContentKey key, String place, String sealed, String plain) {
    if (sealed.length() + plain.length() <= LARGEST) {
      slots.lazySet(slot(sealed), new Entry(key.userId(), key.keyId(), place, sealed, plain));
    }
  }

  static int slot(String sealed) {
    int hash = sealed.hashCode();
    return (hash ^ (hash >>> 16)) & (SLOTS - 1);
  }
}
