package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsync;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsyncClientBuilder;
import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.net.ServerSocket;
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
  EmbeddedDynamoDb dynamo;
  AmazonDynamoDB sync;
  AmazonDynamoDBAsync async;

  @BeforeAll
  void start() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    dynamo = EmbeddedDynamoDb.start(dir, port);
    sync = DynamoDbClients.local(dynamo.endpoint());
    DynamoDbTables.ensure(sync, TABLE, "snapshots-coalesced", "dedup-coalesced");
    async = AmazonDynamoDBAsyncClientBuilder.standard()
        .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(dynamo.endpoint(), "us-east-1"))
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials("local", "local")))
        .build();
  }

  @AfterAll
  void stop() throws Exception {
    async.shutdown();
    dynamo.close();
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
    for (var answer : answers) {
      assertEquals(Map.of(), answer.get(10, TimeUnit.SECONDS), "nothing left unprocessed");
    }
    long stored = sync.scan(TABLE, List.of("par")).getItems().stream()
        .filter(item -> item.get("par").getS().startsWith("e")).count();
    assertEquals(80, stored, "every item is stored");
    assertTrue(sent.size() <= 5, "80 items from 40 callers in " + sent.size() + " requests");
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
    assertEquals(Map.of(), first.get(10, TimeUnit.SECONDS));
    assertEquals(Map.of(), a.get(10, TimeUnit.SECONDS));
    assertEquals(Map.of(), b.get(10, TimeUnit.SECONDS), "DynamoDB refuses a batch with a key twice");
    assertEquals(3, sent.size());
  }

  @Test
  void aFailedRequestFailsEveryCallerInIt() throws Exception {
    WriteCoalescer coalescer = new WriteCoalescer((request, handler) -> handler.onError(new IllegalStateException("down")), 1);
    var answer = submit(coalescer, List.of(put("f", 1)));
    assertTrue(answer.handle((ok, failure) -> failure != null).get(10, TimeUnit.SECONDS));
  }

  /**
   * Sends to DynamoDB Local, recording each request; the first is held until {@code release}
   * completes, so that what is submitted meanwhile queues behind it and must share requests.
   */
  private WriteCoalescer.Sender holdingTheFirst(List<BatchWriteItemRequest> sent, CompletableFuture<Void> release) {
    return (request, handler) -> {
      sent.add(request);
      if (sent.size() == 1) {
        release.thenRun(() -> async.batchWriteItemAsync(request, handler));
      } else {
        async.batchWriteItemAsync(request, handler);
      }
    };
  }

  private static CompletableFuture<Map<String, List<WriteRequest>>> submit(WriteCoalescer coalescer, List<WriteRequest> writes) {
    CompletableFuture<Map<String, List<WriteRequest>>> answer = new CompletableFuture<>();
    coalescer.submit(Map.of(TABLE, writes), (unprocessed, failure) -> {
      if (failure != null) {
        answer.completeExceptionally(failure);
      } else {
        answer.complete(unprocessed);
      }
    });
    return answer;
  }

  private static WriteRequest put(String persistenceId, long seqNr) {
    return new WriteRequest().withPutRequest(new PutRequest().withItem(Map.of(
        "par", new AttributeValue(persistenceId), "num", new AttributeValue().withN(Long.toString(seqNr)))));
  }
}
