package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.AnonymousAWSCredentials;
import com.amazonaws.handlers.AsyncHandler;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsyncClient;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemResult;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A PutItem that DynamoDB leaves unprocessed (DynamoDB Local does while a checkpoint holds its
 * database) is retried with growing delays, so that the retries outlast a short hold instead of
 * all landing inside it and failing the entity's write.
 */
class PutRetryTest {
  /** Leaves the first {@code refusals} writes unprocessed, recording when each came. */
  @SuppressWarnings("deprecation")
  static final class BusyStore extends AmazonDynamoDBAsyncClient {
    final List<Long> attempts = new CopyOnWriteArrayList<>();
    final int refusals;

    BusyStore(int refusals) {
      super(new AWSStaticCredentialsProvider(new AnonymousAWSCredentials()), Executors.newSingleThreadExecutor());
      this.refusals = refusals;
    }

    @Override
    public Future<BatchWriteItemResult> batchWriteItemAsync(
        BatchWriteItemRequest request, AsyncHandler<BatchWriteItemRequest, BatchWriteItemResult> handler) {
      attempts.add(System.nanoTime());
      BatchWriteItemResult result = new BatchWriteItemResult()
          .withUnprocessedItems(attempts.size() <= refusals ? request.getRequestItems() : Map.of());
      handler.onSuccess(request, result);
      return CompletableFuture.completedFuture(result);
    }
  }

  private static Future<?> put(CoalescingDynamoDbClient client) {
    return client.putItemAsync(new PutItemRequest("journal", Map.of("par", new AttributeValue("p"))),
        new AsyncHandler<>() {
          @Override
          public void onError(Exception exception) {}

          @Override
          public void onSuccess(PutItemRequest request, com.amazonaws.services.dynamodbv2.model.PutItemResult result) {}
        });
  }

  @Test
  void aPutLeftUnprocessedIsRetriedWithGrowingDelaysUntilItIsStored() throws Exception {
    int refusals = CoalescingDynamoDbClient.PUT_ATTEMPTS - 1;
    BusyStore store = new BusyStore(refusals);
    put(new CoalescingDynamoDbClient(store, 2, 2)).get(10, TimeUnit.SECONDS);
    assertEquals(CoalescingDynamoDbClient.PUT_ATTEMPTS, store.attempts.size());
    // Delays of 1, 2, 4 … ms between attempts: at least their sum in all, where retrying at once
    // would take a few microseconds.
    long backedOff = CoalescingDynamoDbClient.FIRST_RETRY_DELAY_MILLIS * ((1L << refusals) - 1);
    long spanMillis = TimeUnit.NANOSECONDS.toMillis(store.attempts.get(refusals) - store.attempts.get(0));
    assertTrue(spanMillis >= backedOff, "retried over " + spanMillis + " ms, expected at least " + backedOff);
  }

  @Test
  void aPutStillUnprocessedAfterEveryAttemptFails() {
    BusyStore store = new BusyStore(Integer.MAX_VALUE);
    var answer = put(new CoalescingDynamoDbClient(store, 2, 2));
    try {
      answer.get(10, TimeUnit.SECONDS);
      throw new AssertionError("a put never stored was answered as stored");
    } catch (java.util.concurrent.ExecutionException expected) {
      assertEquals(CoalescingDynamoDbClient.PUT_ATTEMPTS, store.attempts.size());
    } catch (Exception other) {
      throw new AssertionError(other);
    }
  }
}
