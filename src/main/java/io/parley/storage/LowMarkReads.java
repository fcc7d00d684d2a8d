package io.parley.storage;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemResult;
import com.amazonaws.services.dynamodbv2.model.KeysAndAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A recovering entity's low-water mark read with its high-water marks, in one request, where the
 * persistence plugin (1.1.0) reads them one after the other, {@code sequence-shards} keys each
 * (see {@link JournalLayout}).
 *
 * <p>To find an entity's highest sequence number the plugin reads its high-mark keys
 * ({@code journal-SH-<id>-0..9} with ten shards), Queries the partition the highest mark points
 * to, and, when that partition is empty, reads its low-mark keys ({@code journal-SL-<id>-0..9}); the
 * replay that follows reads the low-mark keys again. A new entity takes all these steps: with ten
 * shards twenty keys, on the embedded store one SQLite read each, which bounded new users' logins. Here
 * the high-mark read also fetches the low-mark keys such an entity can have (shards 0 and 1; with
 * one shard, its one key), and the low-mark reads that follow are answered from them.
 *
 * <p>Why two keys suffice: a high mark is written with the event that opens each partition from
 * the second on (sequence number 100, 200, ...), in the same write; an entity without any high
 * mark therefore never stored an event past 99. A low mark is written when events are deleted,
 * as the deleted-up-to number plus one, into shard (number / 100) % shards: at most 100, so shard
 * 0 or 1. The plugin's own answer already depends on the newest partition's high mark being there.
 *
 * <p>What is fetched answers the entity's low-mark reads (the highest read's, then the replay's)
 * only when its high-mark read found no mark, until anything of the entity is written through
 * this client, its next high-mark read, or {@link #MAX_AGE_NANOS}; anything else reads as usual.
 * An entity that wrote on another node in between recovers here with a high-mark read first,
 * which replaces what was fetched.
 */
final class LowMarkReads implements KeptJournalReads {
  static final long MAX_AGE_NANOS = 10_000_000_000L;
  /** Entities waiting for their low-mark read; each holds a few small items. */
  static final int MAX_ENTITIES = 100_000;

  private record Fetched(List<Map<String, AttributeValue>> lowMarks, long fetchedAt) {}

  private final String journalTable;
  private final int shards;
  private final String highPrefix;
  private final String lowPrefix;
  private final String eventPrefix;
  private final LongSupplier nanoClock;
  /** Per entity (its persistence id), oldest first. */
  private final LinkedHashMap<String, Fetched> fetched = new LinkedHashMap<>();
  /** Entities whose high-mark read is on its way, and whether one of their keys was written meanwhile. */
  private final Map<String, Boolean> reading = new HashMap<>();

  LowMarkReads(String journalTable, String journalName, int shards, LongSupplier nanoClock) {
    this.journalTable = journalTable;
    this.shards = shards;
    this.highPrefix = journalName + "-SH-";
    this.lowPrefix = journalName + "-SL-";
    this.eventPrefix = journalName + "-P-";
    this.nanoClock = nanoClock;
  }

  /** {@code reads} to send: a high-mark read of one entity with the low marks it can have added. */
  synchronized Map<String, KeysAndAttributes> toSend(Map<String, KeysAndAttributes> reads) {
    String entity = marksOf(reads, highPrefix);
    if (entity == null) {
      return reads;
    }
    reading.merge(entity, false, (before, now) -> true); // two reads at once: neither is kept
    KeysAndAttributes read = reads.get(journalTable);
    List<Map<String, AttributeValue>> keys = new ArrayList<>(read.getKeys());
    keys.add(key(lowPrefix + entity + "-0"));
    if (shards > 1) {
      keys.add(key(lowPrefix + entity + "-1"));
    }
    return Map.of(journalTable, read.clone().withKeys(keys));
  }

  /**
   * The answer to {@code asked} (as the plugin sent it) out of {@code found} (the answer to
   * {@link #toSend}): the low marks taken out, and kept if the entity has no high mark.
   */
  synchronized BatchGetItemResult received(Map<String, KeysAndAttributes> asked, BatchGetItemResult found) {
    String entity = marksOf(asked, highPrefix);
    if (entity == null) {
      return found;
    }
    boolean written = !Boolean.FALSE.equals(reading.remove(entity));
    List<Map<String, AttributeValue>> highMarks = new ArrayList<>();
    List<Map<String, AttributeValue>> lowMarks = new ArrayList<>();
    for (Map<String, AttributeValue> item : items(found.getResponses())) {
      (item.get("par").getS().startsWith(lowPrefix) ? lowMarks : highMarks).add(item);
    }
    List<Map<String, AttributeValue>> unprocessedHigh = new ArrayList<>();
    boolean lowUnprocessed = false;
    KeysAndAttributes unprocessed = found.getUnprocessedKeys() == null ? null : found.getUnprocessedKeys().get(journalTable);
    if (unprocessed != null) {
      for (Map<String, AttributeValue> key : unprocessed.getKeys()) {
        if (key.get("par").getS().startsWith(lowPrefix)) {
          lowUnprocessed = true;
        } else {
          unprocessedHigh.add(key);
        }
      }
    }
    fetched.remove(entity);
    if (!written && !lowUnprocessed && unprocessedHigh.isEmpty() && highMarks.isEmpty()) {
      fetched.put(entity, new Fetched(List.copyOf(lowMarks), nanoClock.getAsLong()));
      evict();
    }
    Map<String, KeysAndAttributes> leftOver = new LinkedHashMap<>();
    if (!unprocessedHigh.isEmpty()) {
      leftOver.put(journalTable, unprocessed.clone().withKeys(unprocessedHigh));
    }
    Map<String, List<Map<String, AttributeValue>>> responses = new LinkedHashMap<>();
    responses.put(journalTable, highMarks);
    return new BatchGetItemResult().withResponses(responses).withUnprocessedKeys(leftOver);
  }

  /** A read sent as {@link #toSend} failed. */
  synchronized void failed(Map<String, KeysAndAttributes> asked) {
    String entity = marksOf(asked, highPrefix);
    if (entity != null) {
      reading.remove(entity);
    }
  }

  /** The answer to a low-mark read, if it follows a high-mark read that found no mark. */
  synchronized Optional<BatchGetItemResult> lowMarksRead(Map<String, KeysAndAttributes> reads) {
    String entity = marksOf(reads, lowPrefix);
    if (entity == null) {
      return Optional.empty();
    }
    evict();
    Fetched found = fetched.get(entity);
    if (found == null) {
      return Optional.empty();
    }
    Map<String, List<Map<String, AttributeValue>>> responses = new LinkedHashMap<>();
    responses.put(journalTable, new ArrayList<>(found.lowMarks()));
    return Optional.of(new BatchGetItemResult().withResponses(responses).withUnprocessedKeys(new LinkedHashMap<>()));
  }

  /** A write or delete of one item (an event, a high mark, a low mark): what was fetched for its entity goes. */
  @Override
  public synchronized void writing(String table, Map<String, AttributeValue> key) {
    evict(); // so that what no read asked for does not linger
    AttributeValue partition = key == null ? null : key.get("par");
    if (!journalTable.equals(table) || partition == null || partition.getS() == null
        || (fetched.isEmpty() && reading.isEmpty())) {
      return;
    }
    // journal-P-<id>-<n>, journal-SH-<id>-<n>, journal-SL-<id>-<n>
    String par = partition.getS();
    String prefix = par.startsWith(eventPrefix) ? eventPrefix
        : par.startsWith(highPrefix) ? highPrefix : par.startsWith(lowPrefix) ? lowPrefix : null;
    int numberStart = par.lastIndexOf('-');
    if (prefix == null || numberStart < prefix.length()) {
      return;
    }
    String entity = par.substring(prefix.length(), numberStart);
    fetched.remove(entity);
    reading.computeIfPresent(entity, (name, written) -> true);
  }

  synchronized int fetchedEntities() {
    return fetched.size();
  }

  /**
   * The entity whose marks of one kind ({@code prefix}) {@code reads} asks for, all shards and
   * nothing else, as the plugin reads them; null for any other read.
   */
  private String marksOf(Map<String, KeysAndAttributes> reads, String prefix) {
    if (reads == null || reads.size() != 1) {
      return null;
    }
    KeysAndAttributes read = reads.get(journalTable);
    if (read == null || read.getKeys() == null || read.getKeys().size() != shards
        || read.getProjectionExpression() != null || read.getAttributesToGet() != null) {
      return null;
    }
    String entity = null;
    boolean[] seen = new boolean[shards];
    for (Map<String, AttributeValue> key : read.getKeys()) {
      AttributeValue par = key.get("par");
      AttributeValue num = key.get("num");
      if (key.size() != 2 || par == null || par.getS() == null || !par.getS().startsWith(prefix)
          || num == null || !"0".equals(num.getN())) {
        return null;
      }
      int dash = par.getS().lastIndexOf('-');
      String id = par.getS().substring(prefix.length(), Math.max(prefix.length(), dash));
      int shard = shard(par.getS().substring(dash + 1));
      if (dash < prefix.length() || shard < 0 || seen[shard] || (entity != null && !entity.equals(id))) {
        return null;
      }
      seen[shard] = true;
      entity = id;
    }
    return entity;
  }

  private int shard(String number) {
    try {
      int shard = Integer.parseInt(number);
      return shard < shards ? shard : -1;
    } catch (NumberFormatException notOne) {
      return -1;
    }
  }

  private static Map<String, AttributeValue> key(String partition) {
    Map<String, AttributeValue> key = new HashMap<>();
    key.put("par", new AttributeValue().withS(partition));
    key.put("num", new AttributeValue().withN("0"));
    return key;
  }

  private List<Map<String, AttributeValue>> items(Map<String, List<Map<String, AttributeValue>>> responses) {
    List<Map<String, AttributeValue>> items = responses == null ? null : responses.get(journalTable);
    return items == null ? List.of() : items;
  }

  private void evict() {
    long now = nanoClock.getAsLong();
    Iterator<Fetched> oldest = fetched.values().iterator();
    while (oldest.hasNext()) {
      Fetched next = oldest.next();
      if (now - next.fetchedAt() <= MAX_AGE_NANOS && fetched.size() <= MAX_ENTITIES) {
        return;
      }
      oldest.remove();
    }
  }
}
