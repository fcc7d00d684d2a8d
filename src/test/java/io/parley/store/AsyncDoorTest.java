package io.parley.store;

import static io.parley.store.StoreFixture.item;
import static io.parley.store.StoreFixture.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.handlers.AsyncHandler;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsync;
import com.amazonaws.services.dynamodbv2.model.ConditionalCheckFailedException;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The in-process asynchronous door: writes answered by the writer after the commit, reads at once. */
class AsyncDoorTest extends InProcessStoreTest {
  @Test
  void asynchronousWritesAreAnsweredOnTheWriterAfterTheirCommit() throws Exception {
    AmazonDynamoDBAsync async = store.inProcessAsyncClient();
    async.createTableAsync(table("tbl", "k", null)).get();
    List<Future<PutItemResult>> puts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      puts.add(async.putItemAsync(new PutItemRequest("tbl", item("k", "k" + i))));
    }
    for (Future<PutItemResult> put : puts) {
      put.get();
    }
    assertTrue(store.engine().commits() < 200, "the queued writes shared commits: " + store.engine().commits());
    assertEquals(item("k", "k199"), async.getItemAsync(new GetItemRequest("tbl", item("k", "k199"))).get().getItem());

    CompletableFuture<String> answeredOn = new CompletableFuture<>();
    CompletableFuture<Exception> refusal = new CompletableFuture<>();
    Future<PutItemResult> refused = async.putItemAsync(new PutItemRequest("tbl", item("k", "k1"))
        .withConditionExpression("attribute_not_exists(k)"), new AsyncHandler<>() {
          @Override
          public void onError(Exception exception) {
            answeredOn.complete(Thread.currentThread().getName());
            refusal.complete(exception);
          }

          @Override
          public void onSuccess(PutItemRequest request, PutItemResult result) {
            answeredOn.complete("success?");
          }
        });
    ExecutionException failed = assertThrows(ExecutionException.class, refused::get);
    assertInstanceOf(ConditionalCheckFailedException.class, failed.getCause());
    assertInstanceOf(ConditionalCheckFailedException.class, refusal.get());
    // Answered by the writer, or by this thread when the answer was in before the SDK's future was
    // built: no third thread either way.
    assertTrue(Set.of("parley-store-writer", Thread.currentThread().getName()).contains(answeredOn.get()), answeredOn.get());
  }

  @Test
  void invalidRequestsFailTheirFuture() {
    AmazonDynamoDBAsync async = store.inProcessAsyncClient();
    ExecutionException failed = assertThrows(ExecutionException.class,
        () -> async.putItemAsync(new PutItemRequest("missing", item("k", "a"))).get());
    assertInstanceOf(com.amazonaws.services.dynamodbv2.model.ResourceNotFoundException.class, failed.getCause());
  }
}
