package io.parley.conversation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers (sender, client_msg_id) of recent messages so that a retry returns the original
 * message. Keys are 64-bit hashes (collision odds ~1e-12 at the entry cap) to keep a conversation's
 * snapshot small; entries leave after the window or when the cap is reached, oldest first. Before
 * the cap is reached, the oldest entries move to a {@link DedupSpill} ({@link #dropSpilled}), so
 * that a busy conversation keeps its whole window without a large snapshot; {@link SpilledKeys}
 * says which keys may be there.
 */
public final class DedupWindow {
  public record Entry(long seq, long serverTs) {}

  private final LinkedHashMap<Long, Entry> entries;
  /** The newest serverTs among entries moved to the spill; 0 if none. */
  private long spilledUntilTs;
  /** Which keys moved to the spill. */
  private final SpilledKeys spilled;

  public DedupWindow() {
    this(new LinkedHashMap<>(), 0, new SpilledKeys());
  }

  /** In a snapshot taken before generations ({@code spilled} null), moved keys have an item each. */
  @JsonCreator
  public DedupWindow(
      @JsonProperty("entries") LinkedHashMap<Long, Entry> entries,
      @JsonProperty("spilledUntilTs") long spilledUntilTs,
      @JsonProperty("spilled") SpilledKeys spilled) {
    this.entries = entries;
    this.spilledUntilTs = spilledUntilTs;
    this.spilled = spilled != null ? spilled
        : spilledUntilTs > 0 ? SpilledKeys.ownItems(spilledUntilTs) : new SpilledKeys();
  }

  @JsonProperty("spilledUntilTs")
  public long spilledUntilTs() {
    return spilledUntilTs;
  }

  @JsonProperty("spilled")
  SpilledKeys spilled() {
    return spilled;
  }

  /** Where in the spill {@code key}, missing here, may be: it may have moved there inside the window. */
  public SpilledKeys.Whereabouts whereSpilled(long key, long now, long windowMillis) {
    return spilledUntilTs > 0 && spilledUntilTs >= now - windowMillis
        ? spilled.whereMayBe(key, now, windowMillis)
        : SpilledKeys.Whereabouts.NOWHERE;
  }

  /** The generation of moved keys that those moving now, from {@code firstSeq} on, join. */
  public long spillGeneration(long firstSeq) {
    return spilled.generationFor(firstSeq);
  }

  /** The {@code n} oldest entries, oldest first. */
  public Map<Long, Entry> oldest(int n) {
    LinkedHashMap<Long, Entry> oldest = new LinkedHashMap<>();
    Iterator<Map.Entry<Long, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext() && oldest.size() < n) {
      Map.Entry<Long, Entry> e = it.next();
      oldest.put(e.getKey(), e.getValue());
    }
    return oldest;
  }

  /** Entries through {@code seq} are in the spill's {@code generation}, the newest of them from {@code untilTs}. */
  public void dropSpilled(long throughSeq, long untilTs, long generation, long windowMillis) {
    LinkedHashMap<Long, Entry> moved = new LinkedHashMap<>();
    Iterator<Map.Entry<Long, Entry>> oldestFirst = entries.entrySet().iterator();
    while (oldestFirst.hasNext()) {
      Map.Entry<Long, Entry> e = oldestFirst.next();
      if (e.getValue().seq() > throughSeq) {
        break;
      }
      moved.put(e.getKey(), e.getValue());
      oldestFirst.remove();
    }
    spilled.add(generation, moved, windowMillis);
    spilledUntilTs = Math.max(spilledUntilTs, untilTs);
  }

  @JsonProperty("entries")
  Map<Long, Entry> entries() {
    return entries;
  }

  public static long key(String senderId, String clientMsgId) {
    return ByteBuffer.wrap(MessageIds.sha256(senderId + "\u0000" + clientMsgId)).getLong();
  }

  public Optional<Entry> find(long key) {
    return Optional.ofNullable(entries.get(key));
  }

  /** Adds an entry and evicts those older than the window (by server time) or beyond the cap. */
  public void add(long key, Entry entry, long windowMillis, int maxEntries) {
    entries.put(key, entry);
    Iterator<Entry> oldestFirst = entries.values().iterator();
    while (oldestFirst.hasNext()) {
      Entry oldest = oldestFirst.next();
      if (entries.size() > maxEntries || oldest.serverTs() < entry.serverTs() - windowMillis) {
        oldestFirst.remove();
      } else {
        break;
      }
    }
  }

  public int size() {
    return entries.size();
  }

  DedupWindow copy() {
    return new DedupWindow(new LinkedHashMap<>(entries), spilledUntilTs, spilled.copy());
  }
}
