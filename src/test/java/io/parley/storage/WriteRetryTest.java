package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.AnonymousAWSCredentials;
import com.amazonaws.handlers.AsyncHandler;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsyncClient;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemResult;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A write that DynamoDB leaves unprocessed (when it throttles, or while an earlier embedded
 * store's checkpoint held its database) is retried with growing delays, so that the retries outlast a short hold instead of
 * all landing inside it and failing the entity's write; and a caller is never answered with items
 * left unprocessed, since the persistence plugin ignores them where it writes an event together
 * with its partition's high-water mark.
 */
class WriteRetryTest {
  /**
   * Leaves unprocessed, in its first {@code refusals} requests, the items {@code refused} picks;
   * records when each request came and which items it carried.
   */
  @SuppressWarnings("deprecation")
  static final class BusyStore extends AmazonDynamoDBAsyncClient {
    final List<Long> attempts = new CopyOnWriteArrayList<>();
    final List<List<String>> carried = new CopyOnWriteArrayList<>();
    final int refusals;
    final Predicate<String> refused;

    BusyStore(int refusals) {
      this(refusals, par -> true);
    }

    BusyStore(int refusals, Predicate<String> refused) {
      super(new AWSStaticCredentialsProvider(new AnonymousAWSCredentials()), Executors.newSingleThreadExecutor());
      this.refusals = refusals;
      this.refused = refused;
    }

    @Override
    public Future<BatchWriteItemResult> batchWriteItemAsync(
        BatchWriteItemRequest request, AsyncHandler<BatchWriteItemRequest, BatchWriteItemResult> handler) {
      attempts.add(System.nanoTime());
      List<WriteRequest> writes = request.getRequestItems().get(TABLE);
      carried.add(writes.stream().map(BusyStore::par).toList());
      List<WriteRequest> left = attempts.size() <= refusals
          ? writes.stream().filter(w -> refused.test(par(w))).toList()
          : List.of();
      BatchWriteItemResult result = new BatchWriteItemResult()
          .withUnprocessedItems(left.isEmpty() ? Map.of() : Map.of(TABLE, left));
      handler.onSuccess(request, result);
      return CompletableFuture.completedFuture(result);
    }

    static String par(WriteRequest write) {
      return write.getPutRequest().getItem().get("par").getS();
    }
  }

  static final String TABLE = "journal";

  private static Future<?> put(CoalescingDynamoDbClient client) {
    return client.putItemAsync(new PutItemRequest(TABLE, Map.of("par", new AttributeValue("p"))),
        new AsyncHandler<>() {
          @Override
          public void onError(Exception exception) {}

          @Override
          public void onSuccess(PutItemRequest request, com.amazonaws.services.dynamodbv2.model.PutItemResult result) {}
        });
  }

  @Test
  void aPutLeftUnprocessedIsRetriedWithGrowingDelaysUntilItIsStored() throws Exception {
    int refusals = CoalescingDynamoDbClient.WRITE_ATTEMPTS - 1;
    BusyStore store = new BusyStore(refusals);
    put(new CoalescingDynamoDbClient(store, RowWrites.BATCHES, 2, 2)).get(10, TimeUnit.SECONDS);
    assertEquals(CoalescingDynamoDbClient.WRITE_ATTEMPTS, store.attempts.size());
    // Delays of 1, 2, 4 … ms between attempts: at least their sum in all, where retrying at once
    // would take a few microseconds.
    long backedOff = CoalescingDynamoDbClient.FIRST_RETRY_DELAY_MILLIS * ((1L << refusals) - 1);
    long spanMillis = TimeUnit.NANOSECONDS.toMillis(store.attempts.get(refusals) - store.attempts.get(0));
    assertTrue(spanMillis >= backedOff, "retried over " + spanMillis + " ms, expected at least " + backedOff);
  }

  @Test
  void aPutStillUnprocessedAfterEveryAttemptFails() {
    BusyStore store = new BusyStore(Integer.MAX_VALUE);
    var answer = put(new CoalescingDynamoDbClient(store, RowWrites.BATCHES, 2, 2));
    assertThrows(ExecutionException.class, () -> answer.get(10, TimeUnit.SECONDS), "a put never stored, answered as stored");
    assertEquals(CoalescingDynamoDbClient.WRITE_ATTEMPTS, store.attempts.size());
  }

  /**
   * The plugin writes an event that opens a journal partition together with the partition's
   * high-water mark in one BatchWriteItem and takes any answer as stored: the part DynamoDB left
   * unprocessed (here the mark) must be written before that answer, and only that part again.
   */
  @Test
  void aBatchIsAnsweredOnlyOnceEveryItemInItIsStored() throws Exception {
    BusyStore store = new BusyStore(3, par -> par.contains("-SH-"));
    BatchWriteItemResult answer = new CoalescingDynamoDbClient(store, RowWrites.BATCHES, 2, 2)
        .batchWriteItemAsync(batch("journal-P-c1-1", "journal-SH-c1-0"), null)
        .get(10, TimeUnit.SECONDS);
    // Empty, not absent: the plugin reads the map without a null check.
    assertEquals(Map.of(), answer.getUnprocessedItems(), "items left unprocessed");
    assertEquals(List.of(List.of("journal-P-c1-1", "journal-SH-c1-0"), List.of("journal-SH-c1-0"),
        List.of("journal-SH-c1-0"), List.of("journal-SH-c1-0")), store.carried);
  }

  @Test
  void aBatchStillUnprocessedAfterEveryAttemptFails() {
    BusyStore store = new BusyStore(Integer.MAX_VALUE, par -> par.contains("-SH-"));
    var answer = new CoalescingDynamoDbClient(store, RowWrites.BATCHES, 2, 2)
        .batchWriteItemAsync(batch("journal-P-c1-1", "journal-SH-c1-0"), null);
    assertThrows(ExecutionException.class, () -> answer.get(10, TimeUnit.SECONDS),
        "a batch never wholly stored, answered as stored");
    assertEquals(CoalescingDynamoDbClient.WRITE_ATTEMPTS, store.attempts.size());
  }

  private static BatchWriteItemRequest batch(String... pars) {
    List<WriteRequest> writes = java.util.Arrays.stream(pars)
        .map(par -> new WriteRequest().withPutRequest(new PutRequest().withItem(Map.of("par", new AttributeValue(par)))))
        .toList();
    return new BatchWriteItemRequest().withRequestItems(Map.of(TABLE, writes));
  }
}
