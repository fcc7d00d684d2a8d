package io.parley.user;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import io.parley.conversation.ReceiptStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pending queue as a snapshot stores it. Stored whole, its up to 10,000 items repeat their
 * conversation and sender ids (up to 64 characters each) further apart than gzip's 32 KB window
 * sees, which made the queue most of a user's snapshot. Here each distinct id is stored once, in
 * {@code ids}, and the items are stored by column, oldest first, as small numbers that compress
 * well (a column of deltas that are mostly 1 or 0 takes next to nothing):
 *
 * <ul>
 *   <li>{@code cursors}: each cursor minus the previous item's (the first: minus 0);
 *   <li>{@code conversations}: the index in {@code ids} of the conversation id;
 *   <li>{@code seqs}: the seq minus the previous seq of the same conversation (the first: minus 0);
 *   <li>{@code senders}: the index of the sender id (-1: none);
 *   <li>{@code times}: the serverTs minus the previous item's (the first: minus 0);
 *   <li>{@code kinds}: receipt (0 none, 1 + the status's ordinal) plus {@value #KIND_BASE} ×
 *       deleted (0 null, 1 true, 2 false).
 * </ul>
 *
 * <p>{@code items} is the form stored before, each item whole by cursor: read, never written.
 */
record PackedPending(
    @JsonInclude(Include.NON_NULL) TreeMap<Long, PendingQueue.Item> items,
    @JsonInclude(Include.NON_NULL) List<String> ids,
    @JsonInclude(Include.NON_NULL) long[] cursors,
    @JsonInclude(Include.NON_NULL) int[] conversations,
    @JsonInclude(Include.NON_NULL) long[] seqs,
    @JsonInclude(Include.NON_NULL) int[] senders,
    @JsonInclude(Include.NON_NULL) long[] times,
    @JsonInclude(Include.NON_NULL) int[] kinds) {

  /** Leaves room for more receipt statuses without changing what stored kinds mean. */
  static final int KIND_BASE = 8;
  private static final ReceiptStatus[] STATUSES = ReceiptStatus.values();

  static PackedPending pack(Map<Long, PendingQueue.Item> items) {
    int size = items.size();
    PackedPending packed = new PackedPending(null, new ArrayList<>(), new long[size], new int[size],
        new long[size], new int[size], new long[size], new int[size]);
    Map<String, Integer> index = new HashMap<>();
    Map<Integer, Long> lastSeq = new HashMap<>();
    long cursor = 0;
    long ts = 0;
    int i = 0;
    for (Map.Entry<Long, PendingQueue.Item> entry : items.entrySet()) {
      PendingQueue.Item item = entry.getValue();
      int conversation = packed.index(item.conversationId(), index);
      Long previousSeq = lastSeq.put(conversation, item.seq());
      packed.cursors[i] = entry.getKey() - cursor;
      packed.conversations[i] = conversation;
      packed.seqs[i] = item.seq() - (previousSeq == null ? 0 : previousSeq);
      packed.senders[i] = packed.index(item.senderId(), index);
      packed.times[i] = item.serverTs() - ts;
      packed.kinds[i] = kind(item);
      cursor = entry.getKey();
      ts = item.serverTs();
      i++;
    }
    return packed;
  }

  TreeMap<Long, PendingQueue.Item> unpack() {
    if (items != null) {
      return items;
    }
    TreeMap<Long, PendingQueue.Item> unpacked = new TreeMap<>();
    if (cursors == null) {
      return unpacked;
    }
    Map<Integer, Long> lastSeq = new HashMap<>();
    long cursor = 0;
    long ts = 0;
    for (int i = 0; i < cursors.length; i++) {
      cursor += cursors[i];
      long seq = lastSeq.getOrDefault(conversations[i], 0L) + seqs[i];
      lastSeq.put(conversations[i], seq);
      ts += times[i];
      int kind = kinds[i];
      unpacked.put(cursor, new PendingQueue.Item(id(conversations[i]), seq, id(senders[i]), ts,
          kind % KIND_BASE == 0 ? null : STATUSES[kind % KIND_BASE - 1],
          kind / KIND_BASE == 0 ? null : kind / KIND_BASE == 1));
    }
    return unpacked;
  }

  private int index(String id, Map<String, Integer> index) {
    if (id == null) {
      return -1;
    }
    return index.computeIfAbsent(id, added -> {
      ids.add(added);
      return ids.size() - 1;
    });
  }

  private String id(int index) {
    return index < 0 ? null : ids.get(index);
  }

  private static int kind(PendingQueue.Item item) {
    int receipt = item.receipt() == null ? 0 : 1 + item.receipt().ordinal();
    int deleted = item.deleted() == null ? 0 : item.deleted() ? 1 : 2;
    return receipt + KIND_BASE * deleted;
  }
}
