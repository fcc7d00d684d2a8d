package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.handlers.AsyncHandler;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemResult;
import com.amazonaws.services.dynamodbv2.model.KeysAndAttributes;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.parley.metrics.ParleyMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Merging BatchGetItems of many callers, against the embedded store. Each caller reads ten keys of
 * its own entity, as a recovering journal reads its sequence-number shards; only the even
 * shards are stored, so half of every caller's keys are missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadCoalescerTest {
  static final String TABLE = "journal-reads";
  static final int ENTITIES = 200;
  static final int SHARDS = 10;

  @TempDir static Path dir;
  LocalDynamoDb local;

  @BeforeAll
  void start() throws Exception {
    ParleyMetrics.installPrometheus(); // so that DynamoDbRequestCounter's counts can be read
    local = LocalDynamoDb.start(dir, TABLE);
    List<WriteRequest> items = new ArrayList<>();
    for (int entity = 0; entity < ENTITIES; entity++) {
      for (int shard = 0; shard < SHARDS; shard += 2) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(key(entity, shard));
        item.put("seq", new AttributeValue().withN(Integer.toString(entity * 100 + shard)));
        items.add(new WriteRequest().withPutRequest(new PutRequest().withItem(item)));
      }
    }
    for (int from = 0; from < items.size(); from += WriteCoalescer.MAX_ITEMS) {
      Map<String, List<WriteRequest>> left = Map.of(TABLE, items.subList(from, from + WriteCoalescer.MAX_ITEMS));
      while (!left.isEmpty()) { // DynamoDB may leave items unprocessed (throttling)
        left = local.sync.batchWriteItem(left).getUnprocessedItems();
      }
    }
  }

  @AfterAll
  void stop() throws Exception {
    local.close();
  }

  @Test
  void readsOfManyCallersGoOutTogetherAndEachCallerGetsItsOwnItems() throws Exception {
    List<BatchGetItemRequest> sent = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> firstHeld = new CompletableFuture<>();
    ReadCoalescer coalescer = new ReadCoalescer(holdingTheFirst(sent, firstHeld, this::sendToDynamoDb)::send, 1);
    double before = batchGetItemsCounted();

    List<CompletableFuture<BatchGetItemResult>> answers = new ArrayList<>();
    for (int entity = 0; entity < 40; entity++) {
      answers.add(submit(coalescer, entity, true));
    }
    firstHeld.complete(null);
    for (int entity = 0; entity < 40; entity++) {
      assertItsOwn(entity, answers.get(entity).get(10, TimeUnit.SECONDS));
    }
    // The first alone (nothing in flight), then 390 keys of 39 callers in 100-key requests.
    assertEquals(5, sent.size(), "40 callers' reads in " + sent.size() + " requests");
    assertEquals(5, batchGetItemsCounted() - before, "requests that left for DynamoDB");
    sent.forEach(request -> assertTrue(request.getRequestItems().get(TABLE).getKeys().size() <= ReadCoalescer.MAX_KEYS));
    sent.forEach(request -> assertEquals(true, request.getRequestItems().get(TABLE).getConsistentRead()));
  }

  @Test
  void aKeySeveralCallersAskForIsReadOnce() throws Exception {
    List<BatchGetItemRequest> sent = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> firstHeld = new CompletableFuture<>();
    ReadCoalescer coalescer = new ReadCoalescer(holdingTheFirst(sent, firstHeld, this::sendToDynamoDb)::send, 1);
    var first = submit(coalescer, 0, true);
    var a = submit(coalescer, List.of(key(7, 0), key(7, 2)), true);
    var b = submit(coalescer, List.of(key(7, 2), key(8, 4)), true);
    firstHeld.complete(null);
    first.get(10, TimeUnit.SECONDS);
    assertItsOwn(List.of(key(7, 0), key(7, 2)), a.get(10, TimeUnit.SECONDS));
    assertItsOwn(List.of(key(7, 2), key(8, 4)), b.get(10, TimeUnit.SECONDS));
    assertEquals(2, sent.size());
    assertEquals(3, sent.get(1).getRequestItems().get(TABLE).getKeys().size(), "DynamoDB refuses a key twice in a request");
  }

  @Test
  void unprocessedKeysGoBackToTheCallerTheyBelongTo() throws Exception {
    List<BatchGetItemRequest> sent = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> firstHeld = new CompletableFuture<>();
    ReadCoalescer coalescer = new ReadCoalescer(holdingTheFirst(sent, firstHeld, this::leavingEveryThirdEntity)::send, 1);
    List<CompletableFuture<BatchGetItemResult>> answers = new ArrayList<>();
    for (int entity = 0; entity < 12; entity++) {
      answers.add(submit(coalescer, entity, true));
    }
    firstHeld.complete(null);
    for (int entity = 0; entity < 12; entity++) {
      BatchGetItemResult answer = answers.get(entity).get(10, TimeUnit.SECONDS);
      if (entity % 3 == 0) {
        assertEquals(Set.of(), seqs(answer));
        KeysAndAttributes left = answer.getUnprocessedKeys().get(TABLE);
        assertEquals(Set.copyOf(keys(entity)), Set.copyOf(left.getKeys()), "entity " + entity + " gets its own keys back");
        assertEquals(true, left.getConsistentRead(), "a retry reads as the original did");
      } else {
        assertItsOwn(entity, answer);
      }
    }
    assertEquals(3, sent.size(), "12 callers' reads in " + sent.size() + " requests");
  }

  @Test
  void onlyReadsWithTheSameSettingsShareARequest() throws Exception {
    List<BatchGetItemRequest> sent = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> firstHeld = new CompletableFuture<>();
    ReadCoalescer coalescer = new ReadCoalescer(holdingTheFirst(sent, firstHeld, this::sendToDynamoDb)::send, 1);
    var first = submit(coalescer, 0, true);
    var consistent = submit(coalescer, 1, true);
    var eventual = submit(coalescer, 2, false);
    var consistentToo = submit(coalescer, 3, true);
    firstHeld.complete(null);
    first.get(10, TimeUnit.SECONDS);
    assertItsOwn(1, consistent.get(10, TimeUnit.SECONDS));
    assertItsOwn(2, eventual.get(10, TimeUnit.SECONDS));
    assertItsOwn(3, consistentToo.get(10, TimeUnit.SECONDS));
    assertEquals(3, sent.size());
    assertEquals(2 * SHARDS, sent.get(1).getRequestItems().get(TABLE).getKeys().size(), "the two consistent reads together");
    assertEquals(false, sent.get(2).getRequestItems().get(TABLE).getConsistentRead());
  }

  @Test
  void readsWhoseItemsLackTheirKeysAreNotMerged() {
    List<Map<String, AttributeValue>> keys = List.of(key(1, 0));
    assertTrue(ReadCoalescer.mergeable(Map.of(TABLE, new KeysAndAttributes().withKeys(keys))));
    assertTrue(ReadCoalescer.mergeable(Map.of(TABLE, new KeysAndAttributes().withKeys(keys)
        .withProjectionExpression("par, #n, seq").withExpressionAttributeNames(Map.of("#n", "num")))));
    assertFalse(ReadCoalescer.mergeable(Map.of(TABLE, new KeysAndAttributes().withKeys(keys).withProjectionExpression("seq"))));
    assertFalse(ReadCoalescer.mergeable(Map.of(TABLE, new KeysAndAttributes().withKeys(keys).withAttributesToGet("par", "seq"))));
    assertFalse(ReadCoalescer.mergeable(Map.of(TABLE, new KeysAndAttributes().withKeys(List.of()))));
  }

  /** As the journal's recoveries call it: many entities at once through the client, nothing held back. */
  @Test
  void concurrentRecoveriesThroughTheClientShareRequests() throws Exception {
    CoalescingDynamoDbClient client = new CoalescingDynamoDbClient(local.async, RowWrites.BATCHES, 2, 1);
    double before = batchGetItemsCounted();
    List<Future<BatchGetItemResult>> answers = new ArrayList<>();
    for (int entity = 0; entity < ENTITIES; entity++) {
      BatchGetItemRequest request = new BatchGetItemRequest()
          .withRequestItems(Map.of(TABLE, new KeysAndAttributes().withKeys(keys(entity)).withConsistentRead(true)));
      answers.add(client.batchGetItemAsync(request, new AsyncHandler<>() {
        @Override
        public void onError(Exception exception) {}

        @Override
        public void onSuccess(BatchGetItemRequest request, BatchGetItemResult result) {}
      }));
    }
    for (int entity = 0; entity < ENTITIES; entity++) {
      assertItsOwn(entity, answers.get(entity).get(10, TimeUnit.SECONDS));
    }
    double requests = batchGetItemsCounted() - before;
    assertTrue(requests <= ENTITIES / 4, ENTITIES + " callers' reads in " + requests + " requests");
    assertTrue(requests >= ENTITIES * SHARDS / ReadCoalescer.MAX_KEYS, "at most 100 keys a request");
  }

  private void sendToDynamoDb(BatchGetItemRequest request, AsyncHandler<BatchGetItemRequest, BatchGetItemResult> handler) {
    local.async.batchGetItemAsync(request, handler);
  }

  /** Reads from the embedded store, but leaves the keys of every third entity unprocessed (as when throttled). */
  private void leavingEveryThirdEntity(
      BatchGetItemRequest request, AsyncHandler<BatchGetItemRequest, BatchGetItemResult> handler) {
    local.async.batchGetItemAsync(request, new AsyncHandler<>() {
      @Override
      public void onError(Exception failure) {
        handler.onError(failure);
      }

      @Override
      public void onSuccess(BatchGetItemRequest sent, BatchGetItemResult result) {
        KeysAndAttributes read = sent.getRequestItems().get(TABLE);
        List<Map<String, AttributeValue>> left = new ArrayList<>(read.getKeys().stream().filter(key -> entity(key) % 3 == 0).toList());
        result.getResponses().get(TABLE).removeIf(item -> entity(item) % 3 == 0);
        if (result.getUnprocessedKeys().containsKey(TABLE)) { // what the store itself left (DynamoDB does when it throttles)
          result.getUnprocessedKeys().get(TABLE).getKeys().stream().filter(key -> !left.contains(key)).forEach(left::add);
        }
        if (!left.isEmpty()) {
          result.setUnprocessedKeys(Map.of(TABLE, new KeysAndAttributes().withKeys(left).withConsistentRead(read.getConsistentRead())));
        }
        handler.onSuccess(sent, result);
      }
    });
  }

  private static ReadCoalescer.Sender holdingTheFirst(List<BatchGetItemRequest> sent, CompletableFuture<Void> release,
      GroupCommit.Sender<BatchGetItemRequest, BatchGetItemResult> target) {
    return LocalDynamoDb.holdingTheFirst(sent, release, target)::send;
  }

  private static CompletableFuture<BatchGetItemResult> submit(ReadCoalescer coalescer, int entity, boolean consistent) {
    return submit(coalescer, keys(entity), consistent);
  }

  private static CompletableFuture<BatchGetItemResult> submit(
      ReadCoalescer coalescer, List<Map<String, AttributeValue>> keys, boolean consistent) {
    CompletableFuture<BatchGetItemResult> answer = new CompletableFuture<>();
    coalescer.submit(Map.of(TABLE, new KeysAndAttributes().withKeys(keys).withConsistentRead(consistent)),
        LocalDynamoDb.completing(answer));
    return answer;
  }

  private static double batchGetItemsCounted() {
    Counter counter = Metrics.globalRegistry.find("parley.dynamodb.requests").tag("operation", "BatchGetItem").counter();
    return counter == null ? 0 : counter.count();
  }

  private static List<Map<String, AttributeValue>> keys(int entity) {
    return IntStream.range(0, SHARDS).mapToObj(shard -> key(entity, shard)).toList();
  }

  private static Map<String, AttributeValue> key(int entity, int shard) {
    return Map.of("par", new AttributeValue("e" + entity), "num", new AttributeValue().withN(Integer.toString(shard)));
  }

  private static int entity(Map<String, AttributeValue> item) {
    return Integer.parseInt(item.get("par").getS().substring(1));
  }

  private static int shard(Map<String, AttributeValue> key) {
    return Integer.parseInt(key.get("num").getN());
  }

  private static void assertItsOwn(int entity, BatchGetItemResult answer) {
    assertItsOwn(keys(entity), answer);
  }

  /**
   * The caller of {@code keys} got the stored items among them and no others (missing keys are
   * absent). DynamoDB may leave keys unprocessed (throttling):
   * those must be the caller's own, and make up for the items it did not get.
   */
  private static void assertItsOwn(List<Map<String, AttributeValue>> keys, BatchGetItemResult answer) {
    Set<Long> got = seqs(answer);
    Set<Map<String, AttributeValue>> left = answer.getUnprocessedKeys().containsKey(TABLE)
        ? Set.copyOf(answer.getUnprocessedKeys().get(TABLE).getKeys()) : Set.of();
    Set<Long> stored = keys.stream().filter(key -> shard(key) % 2 == 0).map(key -> entity(key) * 100L + shard(key))
        .collect(Collectors.toSet());
    assertTrue(stored.containsAll(got), "a caller of " + keys + " got " + got);
    assertTrue(Set.copyOf(keys).containsAll(left), "a caller of " + keys + " got back keys not its own: " + left);
    keys.stream().filter(key -> shard(key) % 2 == 0).forEach(key ->
        assertTrue(got.contains(entity(key) * 100L + shard(key)) || left.contains(key), "a caller lost " + key));
  }

  /** The items a caller got, by their stored value (which says whose they are). */
  private static Set<Long> seqs(BatchGetItemResult answer) {
    List<Map<String, AttributeValue>> items = answer.getResponses().get(TABLE);
    Set<Long> seqs = items.stream().map(item -> Long.parseLong(item.get("seq").getN())).collect(Collectors.toSet());
    assertEquals(items.size(), seqs.size(), "no item twice");
    return seqs;
  }
}
