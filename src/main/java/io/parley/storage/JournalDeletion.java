package io.parley.storage;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.DeleteItemRequest;
import com.amazonaws.services.dynamodbv2.model.DeleteRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes an entity's journal events up to a sequence number so that the next attempt finishes
 * what a crash or a failed request left. The plugin moves the entity's low mark first (so that no
 * replay sees part of a deleted range), then deletes the events, logging and ignoring any batch
 * that fails; an attempt after that reads the moved mark, finds nothing below it to delete and
 * succeeds, and the events stay in the table for good: an erased account's among them. Here the
 * range is recorded first (an item of Parley's in the journal table), then the mark is moved, the
 * events are deleted with every failure reported, and the record removed; an attempt that finds a
 * record deletes from its start. The plugin's own reads and writes of the marks and its event
 * keys are used as they are ({@link Plugin}).
 */
final class JournalDeletion {
  private static final Logger log = LoggerFactory.getLogger(JournalDeletion.class);
  /** No event or mark key starts this way (theirs start with the journal's name). */
  static final String RECORD_PREFIX = "parley-deleting-";
  /** DynamoDB's most writes in one BatchWriteItem. */
  static final int BATCH = 25;
  /** BatchWriteItems in flight at once for one deletion. */
  static final int LANES = 4;

  /** The plugin's view of the journal: its marks and the key of an event. */
  interface Plugin {
    CompletionStage<Long> lowest(String persistenceId);

    CompletionStage<Long> highest(String persistenceId);

    CompletionStage<?> setLowest(String persistenceId, long lowest);

    Map<String, AttributeValue> eventKey(String persistenceId, long sequenceNr);
  }

  /** The journal table's items, as the plugin's client reads and writes them. */
  interface Table {
    CompletionStage<Map<String, AttributeValue>> get(GetItemRequest request);

    CompletionStage<?> put(PutItemRequest request);

    CompletionStage<?> delete(DeleteItemRequest request);

    CompletionStage<?> write(BatchWriteItemRequest request);
  }

  private record Range(long from, long to) {}

  private final Plugin plugin;
  private final Table table;
  private final String tableName;
  private final Executor executor;

  JournalDeletion(Plugin plugin, Table table, String tableName, Executor executor) {
    this.plugin = plugin;
    this.table = table;
    this.tableName = tableName;
    this.executor = executor;
  }

  /** Deletes the events of {@code persistenceId} through {@code toSequenceNr}; fails if any could not be. */
  CompletionStage<Void> deleteTo(String persistenceId, long toSequenceNr) {
    CompletionStage<Long> lowest = plugin.lowest(persistenceId);
    CompletionStage<Long> highest = plugin.highest(persistenceId);
    return recorded(persistenceId).thenCompose(record -> lowest.thenCompose(low -> highest.thenCompose(high -> {
      long upTo = Math.min(toSequenceNr, high);
      Range range = record
          .map(left -> new Range(Math.min(left.from(), low), Math.max(left.to(), upTo)))
          .orElse(new Range(low, upTo));
      // No persistence id: it may name a user (an erased one). The entity logs which one it asked for.
      log.info("Deleting journal events {}..{} (asked through {}; low mark {}, highest {}{})", range.from(), range.to(),
          toSequenceNr, low, high, record.isPresent() ? ", finishing a deletion cut short" : "");
      if (range.from() > range.to()) {
        return CompletableFuture.completedFuture(null);
      }
      return record(persistenceId, range)
          .thenCompose(recordedNow -> range.to() + 1 > low
              ? plugin.setLowest(persistenceId, range.to() + 1)
              : CompletableFuture.completedFuture(null))
          .thenCompose(marked -> deleteEvents(persistenceId, range))
          .thenCompose(deleted -> table.delete(new DeleteItemRequest(tableName, recordKey(persistenceId))))
          .thenApply(removed -> null);
    })));
  }

  private CompletionStage<Optional<Range>> recorded(String persistenceId) {
    return table.get(new GetItemRequest(tableName, recordKey(persistenceId)).withConsistentRead(true))
        .thenApply(item -> Optional.ofNullable(item)
            .map(found -> new Range(Long.parseLong(found.get("from").getN()), Long.parseLong(found.get("to").getN()))));
  }

  private CompletionStage<?> record(String persistenceId, Range range) {
    Map<String, AttributeValue> item = new HashMap<>(recordKey(persistenceId));
    item.put("from", new AttributeValue().withN(Long.toString(range.from())));
    item.put("to", new AttributeValue().withN(Long.toString(range.to())));
    return table.put(new PutItemRequest(tableName, item));
  }

  static Map<String, AttributeValue> recordKey(String persistenceId) {
    return Map.of("par", new AttributeValue(RECORD_PREFIX + persistenceId), "num", new AttributeValue().withN("0"));
  }

  /**
   * Batch after batch in each of {@link #LANES} lanes, each batch made when its turn comes (an
   * erased account's journal may hold millions of events); deleting a key that is gone is no error.
   */
  private CompletionStage<Void> deleteEvents(String persistenceId, Range range) {
    long batches = (range.to() - range.from()) / BATCH + 1;
    CompletableFuture<?>[] lanes = new CompletableFuture<?>[LANES];
    for (int lane = 0; lane < LANES; lane++) {
      lanes[lane] = deleteBatches(persistenceId, range, lane, batches).toCompletableFuture();
    }
    return CompletableFuture.allOf(lanes);
  }

  private CompletionStage<?> deleteBatches(String persistenceId, Range range, long batch, long batches) {
    if (batch >= batches) {
      return CompletableFuture.completedFuture(null);
    }
    long first = range.from() + batch * BATCH;
    List<WriteRequest> deletes = new ArrayList<>(BATCH);
    for (long seq = first; seq <= Math.min(range.to(), first + BATCH - 1); seq++) {
      deletes.add(new WriteRequest().withDeleteRequest(new DeleteRequest().withKey(plugin.eventKey(persistenceId, seq))));
    }
    return table.write(new BatchWriteItemRequest().withRequestItems(Map.of(tableName, deletes)))
        // On the executor, not on the stack: a batch already answered would recurse here.
        .thenComposeAsync(written -> deleteBatches(persistenceId, range, batch + LANES, batches), executor);
  }
}
