package io.parley.user;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.parley.cluster.JsonSerializable;
import io.parley.conversation.ReceiptStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The user's delivery stream items that some device has not acked yet, by cursor. Items hold only
 * a reference to the message: content stays in the conversation's journal. The snapshot stores
 * the queue packed ({@link PackedPending}), each distinct id once, so that it fits one DynamoDB
 * item with the rest of the user's state.
 */
public final class PendingQueue {
  /**
   * A message reference; or, with {@code receipt} set, a receipt for the user's messages of the
   * conversation through {@code seq}: then {@code senderId} is the member who received or read
   * them, and {@code serverTs} when the receipt was stored; or, with {@code deleted} set, the
   * notice that message {@code seq} was deleted for everyone by {@code senderId}. Items stored
   * before receipts and deletions were items have neither and read as messages; a message's are
   * left out when stored, so that messages cost no more than before.
   */
  public record Item(String conversationId, long seq, String senderId, long serverTs,
      @JsonInclude(JsonInclude.Include.NON_NULL) ReceiptStatus receipt,
      @JsonInclude(JsonInclude.Include.NON_NULL) Boolean deleted) implements JsonSerializable {
    /** A message reference. */
    public Item(String conversationId, long seq, String senderId, long serverTs) {
      this(conversationId, seq, senderId, serverTs, null, null);
    }

    /** A receipt. */
    public Item(String conversationId, long seq, String senderId, long serverTs, ReceiptStatus receipt) {
      this(conversationId, seq, senderId, serverTs, receipt, null);
    }

    /** A reference to a message, not a receipt or a deletion. */
    public boolean isMessage() {
      return receipt == null && deleted == null;
    }
  }

  private final TreeMap<Long, Item> items;

  public PendingQueue() {
    this(new TreeMap<>());
  }

  public PendingQueue(TreeMap<Long, Item> items) {
    this.items = items;
  }

  /** Stored packed, see {@link PackedPending}; the form stored before still reads. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static PendingQueue unpack(PackedPending stored) {
    return new PendingQueue(stored.unpack());
  }

  @JsonValue
  PackedPending pack() {
    return PackedPending.pack(items);
  }

  public void add(long cursor, Item item) {
    items.put(cursor, item);
  }

  /** The cursor before the oldest item held, where a device with no acks yet starts. */
  public long startCursor(long nextCursor) {
    return items.isEmpty() ? nextCursor - 1 : items.firstKey() - 1;
  }

  public Map<Long, Item> after(long cursor) {
    return items.tailMap(cursor, false);
  }

  public Map<Long, Item> between(long afterCursor, long throughCursor) {
    return items.subMap(afterCursor, false, throughCursor, true);
  }

  public void dropThrough(long cursor) {
    items.headMap(cursor, true).clear();
  }

  public void dropOlderThan(long serverTs) {
    items.values().removeIf(item -> item.serverTs() < serverTs);
  }

  public void dropOldestBeyond(int maxItems) {
    while (items.size() > maxItems) {
      items.pollFirstEntry();
    }
  }

  public int size() {
    return items.size();
  }

  public List<Map.Entry<Long, Item>> entries() {
    return new ArrayList<>(items.entrySet());
  }

  PendingQueue copy() {
    return new PendingQueue(new TreeMap<>(items));
  }
}
