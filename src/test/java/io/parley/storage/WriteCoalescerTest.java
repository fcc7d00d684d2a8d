package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemResult;
import com.amazonaws.services.dynamodbv2.model.CancellationReason;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.amazonaws.services.dynamodbv2.model.ScanResult;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsRequest;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsResult;
import com.amazonaws.services.dynamodbv2.model.TransactionCanceledException;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Merging journal writes of many callers, in batches and in transactions, against the embedded store. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WriteCoalescerTest {
  static final String TABLE = "journal-coalesced";

  @TempDir static Path dir;
  LocalDynamoDb local;
  AmazonDynamoDB sync;

  @BeforeAll
  void start() throws Exception {
    local = LocalDynamoDb.start(dir, TABLE);
    sync = local.sync;
  }

  @AfterAll
  void stop() throws Exception {
    local.close();
  }

  @Test
  void writesOfManyCallersGoOutTogetherAndEachCallerIsAnswered() throws Exception {
    List<BatchWriteItemRequest> sent = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> firstHeld = new CompletableFuture<>();
    WriteCoalescer coalescer = new WriteCoalescer(holdingTheFirst(sent, firstHeld), 1);

    List<CompletableFuture<Map<String, List<WriteRequest>>>> answers = new ArrayList<>();
    for (int entity = 0; entity < 40; entity++) {
      // Each entity writes two events, as a journal write of one entity would.
      answers.add(submit(coalescer, List.of(put("e" + entity, 1), put("e" + entity, 2))));
    }
    firstHeld.complete(null);
    List<WriteRequest> left = new ArrayList<>();
    for (int entity = 0; entity < 40; entity++) {
      for (WriteRequest write : answers.get(entity).get(10, TimeUnit.SECONDS).getOrDefault(TABLE, List.of())) {
        assertEquals("e" + entity, write.getPutRequest().getItem().get("par").getS(), "a caller gets back only its own items");
        left.add(write);
      }
    }
    assertTrue(sent.size() <= 5, "80 items from 40 callers in " + sent.size() + " requests");
    // DynamoDB may leave an item unprocessed (throttling); the journal retries those, and so
    // does this.
    for (int attempt = 0; attempt < 10 && !left.isEmpty(); attempt++) {
      left = new ArrayList<>(submit(coalescer, left).get(10, TimeUnit.SECONDS).getOrDefault(TABLE, List.of()));
    }
    assertEquals(80, stored("e"), "every item is stored");
    sent.forEach(request -> assertTrue(request.getRequestItems().get(TABLE).size() <= WriteCoalescer.MAX_ITEMS));
  }

  @Test
  void aBatchNeverCarriesTheSameKeyTwice() throws Exception {
    List<BatchWriteItemRequest> sent = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> firstHeld = new CompletableFuture<>();
    WriteCoalescer coalescer = new WriteCoalescer(holdingTheFirst(sent, firstHeld), 1);
    var first = submit(coalescer, List.of(put("dup", 0)));
    var a = submit(coalescer, List.of(put("dup", 1)));
    var b = submit(coalescer, List.of(put("dup", 1))); // a retry of the same item
    firstHeld.complete(null);
    first.get(10, TimeUnit.SECONDS);
    a.get(10, TimeUnit.SECONDS);
    b.get(10, TimeUnit.SECONDS); // DynamoDB refuses a batch with a key twice: this would fail
    assertEquals(3, sent.size());
  }

  @Test
  void aFailedRequestFailsEveryCallerInIt() throws Exception {
    WriteCoalescer coalescer = new WriteCoalescer((request, handler) -> handler.onError(new IllegalStateException("down")), 1);
    var answer = submit(coalescer, List.of(put("f", 1)));
    assertTrue(answer.handle((ok, failure) -> failure != null).get(10, TimeUnit.SECONDS));
  }

  @Test
  void asTransactionsWritesOfManyCallersGoOutTogetherAndAreStored() throws Exception {
    List<TransactWriteItemsRequest> sent = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> firstHeld = new CompletableFuture<>();
    GroupCommit.Sender<TransactWriteItemsRequest, TransactWriteItemsResult> sender =
        LocalDynamoDb.holdingTheFirst(sent, firstHeld, local.async::transactWriteItemsAsync);
    TransactionCoalescer coalescer = new TransactionCoalescer(sender::send, 1);

    List<CompletableFuture<Map<String, List<WriteRequest>>>> answers = new ArrayList<>();
    for (int entity = 0; entity < 100; entity++) {
      answers.add(submit(coalescer, List.of(put("t" + entity, 1), put("t" + entity, 2))));
    }
    firstHeld.complete(null);
    for (var answer : answers) {
      assertEquals(Map.of(), answer.get(10, TimeUnit.SECONDS), "a transaction is written whole");
    }
    // The first alone (sent at once), then the rest in transactions of 100.
    assertEquals(List.of(2, 100, 98), sent.stream().map(request -> request.getTransactItems().size()).toList());
    assertEquals(200, stored("t"));
  }

  @Test
  void writesSubmittedInOneTurnOfAThreadGoOutAsOneTransaction() throws Exception {
    List<TransactWriteItemsRequest> sent = new CopyOnWriteArrayList<>();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      TransactionCoalescer coalescer = new TransactionCoalescer((request, handler) -> {
        sent.add(request);
        local.async.transactWriteItemsAsync(request, handler);
      }, 1, thread);
      // As the journal takes a message's copies from each member's entity, one after another.
      List<CompletableFuture<Map<String, List<WriteRequest>>>> answers = thread.submit(() -> List.of(
          submit(coalescer, List.of(put("turn-a", 1), put("turn-a", 2))),
          submit(coalescer, List.of(put("turn-b", 1))),
          submit(coalescer, List.of(put("turn-c", 1), put("turn-c", 2))))).get(10, TimeUnit.SECONDS);
      for (var answer : answers) {
        assertEquals(Map.of(), answer.get(10, TimeUnit.SECONDS));
      }
      assertEquals(List.of(5), sent.stream().map(request -> request.getTransactItems().size()).toList(),
          "the first caller's write waited for the thread's turn to end, not for the request before it");
      assertEquals(5, stored("turn-"));

      // Alone, a write still goes out without waiting for company.
      sent.clear();
      assertEquals(Map.of(), submit(coalescer, List.of(put("alone", 1))).get(10, TimeUnit.SECONDS));
      assertEquals(1, sent.size());
    } finally {
      thread.shutdownNow();
    }
  }

  @Test
  void afterTheThreadsTurnWritesArrivingWhileOneIsUnderWayWaitForItsAnswer() throws Exception {
    List<TransactWriteItemsRequest> sent = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> firstHeld = new CompletableFuture<>();
    GroupCommit.Sender<TransactWriteItemsRequest, TransactWriteItemsResult> sender =
        LocalDynamoDb.holdingTheFirst(sent, firstHeld, local.async::transactWriteItemsAsync);
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      TransactionCoalescer coalescer = new TransactionCoalescer(sender::send, 1, thread);
      var first = submit(coalescer, List.of(put("held-a", 1)));
      thread.submit(() -> null).get(10, TimeUnit.SECONDS); // the thread's turn is over: the first is sent
      assertEquals(1, sent.size());
      var second = submit(coalescer, List.of(put("held-b", 1)));
      var third = submit(coalescer, List.of(put("held-c", 1)));
      assertEquals(1, thread.submit(sent::size).get(10, TimeUnit.SECONDS), "nothing more goes out while one is under way");
      firstHeld.complete(null);
      for (var answer : List.of(first, second, third)) {
        assertEquals(Map.of(), answer.get(10, TimeUnit.SECONDS));
      }
      assertEquals(List.of(1, 2), sent.stream().map(request -> request.getTransactItems().size()).toList());
    } finally {
      thread.shutdownNow();
    }
  }

  @Test
  void aTransactionCarriesAtMostThreeAndAHalfMegabytes() throws Exception {
    ArrayDeque<WriteCoalescer.Part> waiting = new ArrayDeque<>();
    for (int i = 0; i < 10; i++) {
      waiting.add(new WriteCoalescer.Part(TABLE, put("big", i, 390_000), "big#" + i, null));
    }
    assertEquals(8, WriteCoalescer.take(waiting, TransactionCoalescer.MAX_ITEMS, TransactionCoalescer.MAX_BYTES).size(),
        "eight items of 390 KB: 3.1 MB; a ninth would pass 3.5 MB");
    assertEquals(2, WriteCoalescer.take(waiting, TransactionCoalescer.MAX_ITEMS, TransactionCoalescer.MAX_BYTES).size());

    // And the embedded store takes such a transaction (DynamoDB refuses one over 4 MB).
    TransactionCoalescer coalescer = new TransactionCoalescer(local.async::transactWriteItemsAsync, 1);
    List<WriteRequest> big = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      big.add(put("big", i, 390_000));
    }
    assertEquals(Map.of(), submit(coalescer, big).get(30, TimeUnit.SECONDS));
  }

  @Test
  void aTransactionCancelledForAConflictLeavesItsItemsToSendAgainAndOneCancelledForItsContentFails() throws Exception {
    TransactionCoalescer conflicting = new TransactionCoalescer((request, handler) -> handler.onError(
        cancelled("None", "TransactionConflict")), 1);
    assertEquals(Map.of(TABLE, List.of(put("c", 1), put("c", 2))),
        submit(conflicting, List.of(put("c", 1), put("c", 2))).get(10, TimeUnit.SECONDS));

    TransactionCoalescer refused = new TransactionCoalescer((request, handler) -> handler.onError(
        cancelled("ValidationError", "None")), 1);
    assertTrue(submit(refused, List.of(put("c", 1), put("c", 2))).handle((ok, failure) -> failure != null)
        .get(10, TimeUnit.SECONDS));
  }

  /** Items stored whose partition starts with {@code prefix}, read page by page (a scan reads 1 MB at most). */
  private long stored(String prefix) {
    long count = 0;
    Map<String, AttributeValue> start = null;
    do {
      ScanResult page = sync.scan(new ScanRequest(TABLE).withProjectionExpression("par").withExclusiveStartKey(start));
      count += page.getItems().stream().filter(item -> item.get("par").getS().startsWith(prefix)).count();
      start = page.getLastEvaluatedKey();
    } while (start != null && !start.isEmpty());
    return count;
  }

  private static TransactionCanceledException cancelled(String... reasons) {
    TransactionCanceledException cancelled = new TransactionCanceledException("cancelled");
    cancelled.setCancellationReasons(java.util.Arrays.stream(reasons).map(code -> new CancellationReason().withCode(code)).toList());
    return cancelled;
  }

  private static WriteRequest put(String persistenceId, long seqNr, int payloadBytes) {
    return new WriteRequest().withPutRequest(new PutRequest().withItem(Map.of(
        "par", new AttributeValue(persistenceId), "num", new AttributeValue().withN(Long.toString(seqNr)),
        "pay", new AttributeValue().withB(java.nio.ByteBuffer.wrap(new byte[payloadBytes])))));
  }

  private WriteCoalescer.Sender holdingTheFirst(List<BatchWriteItemRequest> sent, CompletableFuture<Void> release) {
    GroupCommit.Sender<BatchWriteItemRequest, BatchWriteItemResult> sender =
        LocalDynamoDb.holdingTheFirst(sent, release, local.async::batchWriteItemAsync);
    return sender::send;
  }

  private static CompletableFuture<Map<String, List<WriteRequest>>> submit(WriteCoalescer coalescer, List<WriteRequest> writes) {
    CompletableFuture<Map<String, List<WriteRequest>>> answer = new CompletableFuture<>();
    coalescer.submit(Map.of(TABLE, writes), LocalDynamoDb.completing(answer));
    return answer;
  }

  private static WriteRequest put(String persistenceId, long seqNr) {
    return new WriteRequest().withPutRequest(new PutRequest().withItem(Map.of(
        "par", new AttributeValue(persistenceId), "num", new AttributeValue().withN(Long.toString(seqNr)))));
  }
}
