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
 * snapshot small; entries leave after the window or when the cap is reached, oldest first.
 */
public final class DedupWindow {
  public record Entry(long seq, long serverTs) {}

  private final LinkedHashMap<Long, Entry> entries;

  public DedupWindow() {
    this(new LinkedHashMap<>());
  }

  @JsonCreator
  public DedupWindow(@JsonProperty("entries") LinkedHashMap<Long, Entry> entries) {
    this.entries = entries;
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
    return new DedupWindow(new LinkedHashMap<>(entries));
  }
}
