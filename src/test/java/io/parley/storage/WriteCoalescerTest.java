package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemResult;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Merging journal writes of many callers, against DynamoDB Local. */
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
    // DynamoDB Local leaves an item unprocessed now and then (its database busy with a
    // checkpoint); the journal retries those, and so does this.
    for (int attempt = 0; attempt < 10 && !left.isEmpty(); attempt++) {
      left = new ArrayList<>(submit(coalescer, left).get(10, TimeUnit.SECONDS).getOrDefault(TABLE, List.of()));
    }
    long stored = sync.scan(TABLE, List.of("par")).getItems().stream()
        .filter(item -> item.get("par").getS().startsWith("e")).count();
    assertEquals(80, stored, "every item is stored");
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
