package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemResult;
import com.amazonaws.services.dynamodbv2.model.KeysAndAttributes;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import io.parley.cluster.Done;
import io.parley.conversation.DedupSpill;
import io.parley.conversation.DedupWindow;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The dedup table: idempotency keys that left a conversation's state, one item per key
 * ({@code k} = conversation id, '#', the key in hex), with the seq and time of the message and an
 * expiry ({@code exp}, epoch seconds, the table's TTL attribute). Reads ignore expired items, so
 * correctness does not wait for TTL deletion (DynamoDB Local never deletes).
 */
public final class DynamoDbDedupTable implements DedupSpill {
  static final int MAX_GET_KEYS = 100; // BatchGetItem's limit

  private final AmazonDynamoDB dynamo;
  private final String table;
  private final RowWrites rowWrites;
  private final Executor blocking;
  private final Clock clock;

  public DynamoDbDedupTable(AmazonDynamoDB dynamo, String table, RowWrites rowWrites, Executor blocking, Clock clock) {
    this.dynamo = dynamo;
    this.table = table;
    this.rowWrites = rowWrites;
    this.blocking = blocking;
    this.clock = clock;
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public CompletionStage<Done> store(String conversationId, Map<Long, DedupWindow.Entry> entries, long expiresAtMillis) {
    return CompletableFuture.supplyAsync(() -> {
      List<WriteRequest> writes = new ArrayList<>();
      entries.forEach((key, entry) -> writes.add(new WriteRequest(new PutRequest(Map.of(
          "k", new AttributeValue(itemKey(conversationId, key)),
          "seq", number(entry.seq()),
          "ts", number(entry.serverTs()),
          "exp", number(expiresAtMillis / 1000 + 1))))));
      rowWrites.writeAll(dynamo, table, writes);
      return Done.INSTANCE;
    }, blocking);
  }

  @Override
  public CompletionStage<Map<Long, DedupWindow.Entry>> find(String conversationId, Collection<Long> keys) {
    return CompletableFuture.supplyAsync(() -> {
      Map<String, Long> byItemKey = new HashMap<>();
      keys.forEach(key -> byItemKey.put(itemKey(conversationId, key), key));
      List<String> itemKeys = new ArrayList<>(byItemKey.keySet());
      long nowSeconds = clock.millis() / 1000;
      Map<Long, DedupWindow.Entry> found = new HashMap<>();
      for (int from = 0; from < itemKeys.size(); from += MAX_GET_KEYS) {
        for (Map<String, AttributeValue> item : getAll(itemKeys.subList(from, Math.min(itemKeys.size(), from + MAX_GET_KEYS)))) {
          if (Long.parseLong(item.get("exp").getN()) >= nowSeconds) {
            found.put(byItemKey.get(item.get("k").getS()),
                new DedupWindow.Entry(Long.parseLong(item.get("seq").getN()), Long.parseLong(item.get("ts").getN())));
          }
        }
      }
      return found;
    }, blocking);
  }

  private List<Map<String, AttributeValue>> getAll(List<String> itemKeys) {
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    List<Map<String, AttributeValue>> keys = itemKeys.stream()
        .map(k -> Map.of("k", new AttributeValue(k)))
        .toList();
    Map<String, KeysAndAttributes> pending = Map.of(table, new KeysAndAttributes().withKeys(keys).withConsistentRead(true));
    for (int attempt = 1; !pending.isEmpty(); attempt++) {
      BatchGetItemResult result = dynamo.batchGetItem(new BatchGetItemRequest(pending));
      items.addAll(result.getResponses().getOrDefault(table, List.of()));
      pending = result.getUnprocessedKeys() == null ? Map.of() : result.getUnprocessedKeys();
      if (!pending.isEmpty()) {
        BatchWrites.backOff(table, attempt);
      }
    }
    return items;
  }

  static String itemKey(String conversationId, long key) {
    return conversationId + "#" + Long.toHexString(key);
  }

  private static AttributeValue number(long value) {
    return new AttributeValue().withN(Long.toString(value));
  }
}
