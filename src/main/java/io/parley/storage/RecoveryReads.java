package io.parley.storage;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.QueryResult;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * One read of a recovering entity's newest journal partition where the persistence plugin
 * (1.1.0) makes two. To recover an entity the plugin queries the partition holding its highest
 * sequence number for the sequence numbers alone (to find the highest), and a moment later the
 * same partition again for the events to replay. Both read the same items (DynamoDB bills a
 * Query by the items it reads, whatever it projects), so here the first Query fetches the items
 * whole, they are kept, and the replay's Query of that partition is answered from them: one
 * Query per recovery instead of two.
 *
 * <p>What is kept can never be older than what the plugin has just seen: it is kept per entity
 * (its partitions' key without the partition number) and only until the replay reads it. The next
 * highest-sequence-number read of the entity replaces it, and a write to or a delete from any of
 * the entity's partitions through this client drops it. Whatever the plugin read with its first
 * Query is also all it replays (it replays up to the highest sequence number that Query found),
 * so a replay answered from it sees exactly what a second Query would have, short of an entity
 * writing from two nodes at once. A recovery that replays nothing (its snapshot is the newest)
 * leaves its items unread: they go after {@link #MAX_AGE_NANOS}, or sooner when more than
 * {@code maxBytes} are kept.
 */
final class RecoveryReads implements KeptJournalReads {
  /** Longer than a replay's start ever waits for its highest read (a BatchGetItem in between). */
  static final long MAX_AGE_NANOS = 10_000_000_000L;
  /** What unread partitions may hold on to; a login storm's partitions are a few KiB each. */
  static final long MAX_BYTES = 16L << 20;

  private static final String HIGHEST_READ = "par = :kkey";
  private static final String REPLAY_READ = "par = :kkey AND num BETWEEN :startSKey AND :endSKey";

  private record Kept(String partition, List<Map<String, AttributeValue>> items, long bytes, long keptAt) {}

  private final String journalTable;
  private final long maxBytes;
  private final LongSupplier nanoClock;
  /** Per entity, oldest first. */
  private final LinkedHashMap<String, Kept> kept = new LinkedHashMap<>();
  /** Entities with a highest read on its way, and whether one of their partitions was written meanwhile. */
  private final Map<String, Boolean> reading = new HashMap<>();
  private long keptBytes;

  RecoveryReads(String journalTable, long maxBytes, LongSupplier nanoClock) {
    this.journalTable = journalTable;
    this.maxBytes = maxBytes;
    this.nanoClock = nanoClock;
  }

  /** The plugin's read of a partition's sequence numbers, to find the highest: to be sent as {@link #whole}. */
  boolean isHighestRead(QueryRequest request) {
    return shaped(request, HIGHEST_READ) && "num".equals(request.getProjectionExpression());
  }

  /** {@code request} (a highest read) for the items whole, to send now. */
  synchronized QueryRequest whole(QueryRequest request) {
    String entity = entity(partition(request));
    // A second read of the same entity on its way: neither is kept (rare, and never wrong that way).
    reading.merge(entity, false, (before, now) -> true);
    return request.clone().withProjectionExpression(null);
  }

  /** A highest read failed. */
  synchronized void failed(QueryRequest request) {
    reading.remove(entity(partition(request)));
  }

  /**
   * Keeps what a highest read found, if it found the whole partition and nothing of the entity
   * was written while it was on its way.
   */
  synchronized void highestRead(QueryRequest request, QueryResult result) {
    String partition = partition(request);
    String entity = entity(partition);
    drop(entity);
    if (!Boolean.FALSE.equals(reading.remove(entity))) {
      return;
    }
    Map<String, AttributeValue> more = result.getLastEvaluatedKey();
    if (more != null && !more.isEmpty()) {
      return; // a partition larger than one page: its replay reads it as usual
    }
    List<Map<String, AttributeValue>> items = result.getItems() == null ? List.of() : List.copyOf(result.getItems());
    long bytes = items.stream().mapToLong(ItemSize::of).sum();
    if (bytes > maxBytes) {
      return;
    }
    kept.put(entity, new Kept(partition, items, bytes, nanoClock.getAsLong()));
    keptBytes += bytes;
    evict();
  }

  /** The answer to the plugin's replay read of a partition, if the highest read just kept it. */
  synchronized Optional<QueryResult> replayRead(QueryRequest request) {
    String start = shaped(request, REPLAY_READ) ? number(request, ":startSKey") : null;
    String end = shaped(request, REPLAY_READ) ? number(request, ":endSKey") : null;
    if (start == null || end == null) {
      return Optional.empty();
    }
    evict();
    String partition = partition(request);
    String entity = entity(partition);
    Kept found = kept.get(entity);
    if (found == null || !found.partition().equals(partition)) {
      return Optional.empty();
    }
    drop(entity);
    long from = Long.parseLong(start);
    long to = Long.parseLong(end);
    List<Map<String, AttributeValue>> items = found.items().stream()
        .filter(item -> {
          long sort = Long.parseLong(item.get("num").getN());
          return sort >= from && sort <= to;
        })
        .toList();
    return Optional.of(new QueryResult().withItems(items).withCount(items.size()).withScannedCount(items.size()));
  }

  /** A write or delete of one item: what is kept of its entity goes. */
  @Override
  public synchronized void writing(String table, Map<String, AttributeValue> key) {
    evict(); // so that old unread partitions do not linger
    AttributeValue partition = key == null ? null : key.get("par");
    if (journalTable.equals(table) && partition != null && partition.getS() != null
        && !(kept.isEmpty() && reading.isEmpty())) {
      String entity = entity(partition.getS());
      drop(entity);
      reading.computeIfPresent(entity, (name, written) -> true);
    }
  }

  synchronized int keptEntities() {
    return kept.size();
  }

  private boolean shaped(QueryRequest request, String keyCondition) {
    return journalTable.equals(request.getTableName())
        && keyCondition.equals(request.getKeyConditionExpression())
        && Boolean.TRUE.equals(request.getConsistentRead())
        && request.getExclusiveStartKey() == null
        && request.getIndexName() == null
        && request.getFilterExpression() == null
        && request.getLimit() == null
        && request.getSelect() == null
        && request.getAttributesToGet() == null
        && request.getScanIndexForward() == null
        && request.getExpressionAttributeNames() == null
        && request.getExpressionAttributeValues() != null
        && request.getExpressionAttributeValues().get(":kkey") != null
        && request.getExpressionAttributeValues().get(":kkey").getS() != null;
  }

  private static String number(QueryRequest request, String name) {
    AttributeValue value = request.getExpressionAttributeValues().get(name);
    return value == null ? null : value.getN();
  }

  private static String partition(QueryRequest request) {
    return request.getExpressionAttributeValues().get(":kkey").getS();
  }

  /** {@code journal-P-<persistence id>-<partition>} without its partition number. */
  private static String entity(String partition) {
    int dash = partition.lastIndexOf('-');
    return dash < 0 ? partition : partition.substring(0, dash);
  }

  private void drop(String entity) {
    Kept gone = kept.remove(entity);
    if (gone != null) {
      keptBytes -= gone.bytes();
    }
  }

  /** Oldest first: what is past its age, then whatever exceeds the byte bound. */
  private void evict() {
    long now = nanoClock.getAsLong();
    Iterator<Kept> oldest = kept.values().iterator();
    while (oldest.hasNext()) {
      Kept next = oldest.next();
      if (now - next.keptAt() <= MAX_AGE_NANOS && keptBytes <= maxBytes) {
        return;
      }
      oldest.remove();
      keptBytes -= next.bytes();
    }
  }
}
