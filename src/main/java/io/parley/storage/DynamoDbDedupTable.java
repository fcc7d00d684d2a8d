package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemResult;
import com.amazonaws.services.dynamodbv2.model.KeysAndAttributes;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItem;
import com.amazonaws.services.dynamodbv2.model.Update;
import io.parley.cluster.Done;
import io.parley.conversation.DedupSpill;
import io.parley.conversation.DedupWindow;
import io.parley.conversation.SpilledKeys;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The dedup table: idempotency keys that left a conversation's state. A generation's keys are
 * spread over {@link #BUCKETS} items by key ({@code k} = conversation id, '#g', generation, '#',
 * bucket), each a binary set {@code e} of (key, seq, time), 24 bytes each, so moving a thousand
 * keys writes a handful of items, not a thousand, and a lookup reads one item per generation.
 * Keys moved before generations have an item each ({@code k} = conversation id, '#', the key in
 * hex, with {@code seq} and {@code ts}). Every item has an expiry ({@code exp}, epoch seconds, the
 * table's TTL attribute); reads ignore expired items, so correctness does not wait for TTL
 * deletion (DynamoDB takes up to days).
 */
public final class DynamoDbDedupTable implements DedupSpill {
  static final int MAX_GET_KEYS = 100; // BatchGetItem's limit
  static final int BUCKETS = 16;
  private static final int ENTRY_BYTES = 24;

  private final AmazonDynamoDB dynamo;
  private final String table;
  private final Executor blocking;
  private final Clock clock;

  public DynamoDbDedupTable(AmazonDynamoDB dynamo, String table, Executor blocking, Clock clock) {
    this.dynamo = dynamo;
    this.table = table;
    this.blocking = blocking;
    this.clock = clock;
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public CompletionStage<Done> store(
      String conversationId, long generation, Map<Long, DedupWindow.Entry> entries, long expiresAtMillis) {
    return CompletableFuture.supplyAsync(() -> {
      Map<Integer, List<ByteBuffer>> byBucket = new TreeMap<>();
      entries.forEach((key, entry) ->
          byBucket.computeIfAbsent(bucket(key), b -> new ArrayList<>()).add(encode(key, entry)));
      AttributeValue expires = number(expiresAtMillis / 1000 + 1);
      // One transaction: the buckets' items grow together (a handful per move).
      TransactionWrites.write(dynamo, table, byBucket.entrySet().stream()
          .map(bucket -> new TransactWriteItem().withUpdate(new Update()
              .withTableName(table)
              .withKey(Map.of("k", new AttributeValue(generationKey(conversationId, generation, bucket.getKey()))))
              .withUpdateExpression("ADD e :e SET exp = :exp")
              .withExpressionAttributeValues(Map.of(
                  ":e", new AttributeValue().withBS(bucket.getValue()),
                  ":exp", expires))))
          .toList());
      return Done.INSTANCE;
    }, blocking);
  }

  @Override
  public CompletionStage<Map<Long, DedupWindow.Entry>> find(
      String conversationId, Map<Long, SpilledKeys.Whereabouts> keys) {
    return CompletableFuture.supplyAsync(() -> {
      Set<String> itemKeys = new HashSet<>();
      Map<String, Long> ownItems = new HashMap<>();
      keys.forEach((key, where) -> {
        if (where.ownItem()) {
          ownItems.put(ownItemKey(conversationId, key), key);
          itemKeys.add(ownItemKey(conversationId, key));
        }
        where.generations().forEach(generation -> itemKeys.add(generationKey(conversationId, generation, bucket(key))));
      });
      long nowSeconds = clock.millis() / 1000;
      Map<Long, DedupWindow.Entry> found = new HashMap<>();
      List<String> all = new ArrayList<>(itemKeys);
      for (int from = 0; from < all.size(); from += MAX_GET_KEYS) {
        for (Map<String, AttributeValue> item : getAll(all.subList(from, Math.min(all.size(), from + MAX_GET_KEYS)))) {
          if (Long.parseLong(item.get("exp").getN()) < nowSeconds) {
            continue;
          }
          if (item.containsKey("e")) {
            for (ByteBuffer stored : item.get("e").getBS()) {
              ByteBuffer entry = stored.duplicate();
              long key = entry.getLong();
              if (keys.containsKey(key)) {
                found.put(key, new DedupWindow.Entry(entry.getLong(), entry.getLong()));
              }
            }
          } else {
            found.put(ownItems.get(item.get("k").getS()),
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

  static int bucket(long key) {
    return (int) (key & (BUCKETS - 1));
  }

  static String generationKey(String conversationId, long generation, int bucket) {
    return conversationId + "#g" + generation + "#" + bucket;
  }

  static String ownItemKey(String conversationId, long key) {
    return conversationId + "#" + Long.toHexString(key);
  }

  private static ByteBuffer encode(long key, DedupWindow.Entry entry) {
    return ByteBuffer.allocate(ENTRY_BYTES).putLong(key).putLong(entry.seq()).putLong(entry.serverTs()).flip();
  }

  private static AttributeValue number(long value) {
    return new AttributeValue().withN(Long.toString(value));
  }
}
