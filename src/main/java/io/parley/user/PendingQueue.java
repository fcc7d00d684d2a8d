package io.parley.user;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.parley.cluster.JsonSerializable;
import io.parley.conversation.ReceiptStatus;
import java.util.ArrayList;
import java.util.HashMap;
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
  /** How many items name each distinct id (conversation or sender): derived, never stored. */
  private final HashMap<String, Integer> idUses = new HashMap<>();
  /** What the distinct ids take in the snapshot, see {@link #idBytes}. */
  private long idBytes;

  public PendingQueue() {
    this(new TreeMap<>());
  }

  public PendingQueue(TreeMap<Long, Item> items) {
    this.items = items;
    items.values().forEach(this::counted);
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

  /** Whether the notice that message {@code seq} of the conversation was deleted is held. */
  public boolean holdsDeletion(String conversationId, long seq) {
    return items.values().stream().anyMatch(item -> item.deleted() != null && item.seq() == seq
        && item.conversationId().equals(conversationId));
  }

  public void add(long cursor, Item item) {
    Item replaced = items.put(cursor, item);
    if (replaced != null) {
      uncounted(replaced);
    }
    counted(item);
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
    Map<Long, Item> acked = items.headMap(cursor, true);
    acked.values().forEach(this::uncounted);
    acked.clear();
  }

  public void dropOlderThan(long serverTs) {
    items.values().removeIf(item -> {
      boolean old = item.serverTs() < serverTs;
      if (old) {
        uncounted(item);
      }
      return old;
    });
  }

  /** Drops the oldest items while more than {@code maxItems}, or ids over {@code maxIdBytes} (0: no bound). */
  public void dropOldestBeyond(int maxItems, long maxIdBytes) {
    while (items.size() > maxItems || (maxIdBytes > 0 && idBytes > maxIdBytes && !items.isEmpty())) {
      uncounted(items.pollFirstEntry().getValue());
    }
  }

  /**
   * What the distinct ids of the items take in the snapshot's JSON, each (ASCII by the id
   * grammar) with its quotes and comma: the part of the packed queue that does not compress.
   */
  public long idBytes() {
    return idBytes;
  }

  private void counted(Item item) {
    count(item.conversationId(), 1);
    count(item.senderId(), 1);
  }

  private void uncounted(Item item) {
    count(item.conversationId(), -1);
    count(item.senderId(), -1);
  }

  private void count(String id, int change) {
    if (id == null) {
      return;
    }
    int uses = idUses.merge(id, change, Integer::sum);
    if (uses == 0) {
      idUses.remove(id);
      idBytes -= id.length() + 3L;
    } else if (uses == 1 && change == 1) {
      idBytes += id.length() + 3L;
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
