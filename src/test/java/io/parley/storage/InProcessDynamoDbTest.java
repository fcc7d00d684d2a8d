package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.AmazonWebServiceClient;
import com.amazonaws.handlers.AsyncHandler;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsync;
import com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.CancellationReason;
import com.amazonaws.services.dynamodbv2.model.ConditionalCheckFailedException;
import com.amazonaws.services.dynamodbv2.model.Put;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemResult;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItem;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsRequest;
import com.amazonaws.services.dynamodbv2.model.TransactionCanceledException;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.parley.metrics.ParleyMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store called without HTTP: same data, same errors, counted like requests that leave. */
class InProcessDynamoDbTest {
  static final String TABLE = "journal-inproc";

  @TempDir Path dir;
  EmbeddedDynamoDb dynamo;
  AmazonDynamoDB inProcess;
  AmazonDynamoDB http;

  @BeforeAll
  static void countRequests() {
    ParleyMetrics.installPrometheus(); // so that the counts can be read
  }

  @BeforeEach
  void start() throws Exception {
    dynamo = LocalDynamoDb.onFreePort(dir);
    inProcess = InProcessDynamoDb.at(dynamo.endpoint()).orElseThrow();
    http = DynamoDbClients.local(dynamo.endpoint());
    DynamoDbTables.ensure(inProcess, TABLE, TABLE + "-snapshots", TABLE + "-dedup");
  }

  @AfterEach
  void stop() throws Exception {
    dynamo.close();
  }

  @Test
  void parleysClientsOfTheStoreThisJvmRunsSkipHttpAndShareItsData() throws Exception {
    assertFalse(inProcess instanceof AmazonWebServiceClient, "an SDK client would go through HTTP");
    assertSame(inProcess, DynamoDbClients.fromJournalConfig(ConfigFactory.parseString(
        "parley.dynamodb.region = us-east-1\n"
            + "dynamodb-journal { endpoint = \"" + dynamo.endpoint() + "\", aws-access-key-id = local, aws-secret-access-key = local }")));
    inProcess.putItem(TABLE, event("p-1", 1, "written in process"));
    assertEquals("written in process", http.getItem(TABLE, key("p-1", 1)).getItem().get("payload").getS());
    http.putItem(TABLE, event("p-1", 2, "written over HTTP"));
    assertEquals("written over HTTP", inProcess.getItem(TABLE, key("p-1", 2)).getItem().get("payload").getS());

    // The persistence plugins shut their client down when they stop; the store serves on, for
    // the HTTP endpoint and the next actor system of this JVM, until its owner closes it.
    InProcessDynamoDb.asyncAt(dynamo.endpoint()).orElseThrow().shutdown();
    inProcess.shutdown();
    assertEquals("written over HTTP", http.getItem(TABLE, key("p-1", 2)).getItem().get("payload").getS());
    assertEquals("written in process", inProcess.getItem(TABLE, key("p-1", 1)).getItem().get("payload").getS());

    String endpoint = dynamo.endpoint();
    dynamo.close();
    assertTrue(InProcessDynamoDb.at(endpoint).isEmpty(), "a closed store is not offered");
  }

  @Test
  void failuresArriveAsTheSdkReportsThemOverHttp() {
    inProcess.putItem(TABLE, event("p-1", 1, "first"));
    PutItemRequest again = new PutItemRequest(TABLE, event("p-1", 1, "second"))
        .withConditionExpression("attribute_not_exists(par)");
    assertThrows(ConditionalCheckFailedException.class, () -> inProcess.putItem(again));

    TransactionCanceledException cancelled = assertThrows(TransactionCanceledException.class, () ->
        inProcess.transactWriteItems(new TransactWriteItemsRequest().withTransactItems(
            new TransactWriteItem().withPut(new Put().withTableName(TABLE).withItem(event("p-1", 1, "third"))
                .withConditionExpression("attribute_not_exists(par)")),
            new TransactWriteItem().withPut(new Put().withTableName(TABLE).withItem(event("p-1", 2, "fourth"))))));
    // TransactionCoalescer decides by these whether to hand the items back.
    assertEquals(List.of("ConditionalCheckFailed", "None"),
        cancelled.getCancellationReasons().stream().map(CancellationReason::getCode).toList());

    AmazonDynamoDBException invalid = assertThrows(AmazonDynamoDBException.class, () ->
        inProcess.putItem(TABLE, Map.of("par", new AttributeValue("no sort key"))));
    assertEquals(400, invalid.getStatusCode());
    assertEquals("first", http.getItem(TABLE, key("p-1", 1)).getItem().get("payload").getS(), "nothing was stored by them");
  }

  @Test
  void asynchronousCallsAnswerTheirHandlerAndTheirFuture() throws Exception {
    AmazonDynamoDBAsync async = InProcessDynamoDb.asyncAt(dynamo.endpoint()).orElseThrow();
    CompletableFuture<PutItemResult> heard = new CompletableFuture<>();
    async.putItemAsync(new PutItemRequest(TABLE, event("p-1", 1, "async")), handler(heard)).get(10, TimeUnit.SECONDS);
    assertTrue(heard.isDone() && !heard.isCompletedExceptionally(), "the handler heard of it first");
    assertEquals("async", http.getItem(TABLE, key("p-1", 1)).getItem().get("payload").getS());

    CompletableFuture<PutItemResult> failed = new CompletableFuture<>();
    PutItemRequest conditional = new PutItemRequest(TABLE, event("p-1", 1, "again"))
        .withConditionExpression("attribute_not_exists(par)");
    ExecutionException thrown = assertThrows(ExecutionException.class,
        () -> async.putItemAsync(conditional, handler(failed)).get(10, TimeUnit.SECONDS));
    assertTrue(thrown.getCause() instanceof ConditionalCheckFailedException, thrown.getCause().toString());
    assertTrue(failed.isCompletedExceptionally());
  }

  @Test
  void requestsAndItemsWrittenAreCounted() {
    double puts = count("parley.dynamodb.requests", "PutItem");
    double items = count("parley.dynamodb.items.written", null);
    double gets = count("parley.dynamodb.requests", "GetItem");
    inProcess.putItem(TABLE, event("p-1", 1, "counted"));
    inProcess.putItem(TABLE, event("p-1", 2, "counted"));
    inProcess.getItem(TABLE, key("p-1", 1));
    assertEquals(2, count("parley.dynamodb.requests", "PutItem") - puts);
    assertEquals(2, count("parley.dynamodb.items.written", null) - items);
    assertEquals(1, count("parley.dynamodb.requests", "GetItem") - gets);
  }

  @Test
  void failedRequestsAreCountedByOperationAndErrorCode() throws Exception {
    inProcess.putItem(TABLE, event("p-1", 1, "first"));
    PutItemRequest again = new PutItemRequest(TABLE, event("p-1", 1, "second"))
        .withConditionExpression("attribute_not_exists(par)");
    double refused = errors("PutItem", "ConditionalCheckFailedException");
    double invalid = errors("GetItem", "ValidationException");

    assertThrows(ConditionalCheckFailedException.class, () -> inProcess.putItem(again));
    assertEquals(1, errors("PutItem", "ConditionalCheckFailedException") - refused, "a call that waits");
    AmazonDynamoDBAsync async = InProcessDynamoDb.asyncAt(dynamo.endpoint()).orElseThrow();
    assertThrows(ExecutionException.class, () -> async.putItemAsync(again).get(10, TimeUnit.SECONDS));
    assertEquals(2, errors("PutItem", "ConditionalCheckFailedException") - refused, "an asynchronous call");
    // A request that leaves through the SDK is counted by the SDK's handler (DynamoDbRequestCounter).
    assertThrows(ConditionalCheckFailedException.class, () -> http.putItem(again));
    assertEquals(3, errors("PutItem", "ConditionalCheckFailedException") - refused, "over HTTP");
    assertThrows(AmazonDynamoDBException.class, () -> http.getItem(TABLE, Map.of("par", new AttributeValue("p-1"))));
    assertEquals(1, errors("GetItem", "ValidationException") - invalid);

    double putErrors = errors("PutItem", null);
    inProcess.putItem(TABLE, event("p-1", 3, "fine"));
    async.putItemAsync(new PutItemRequest(TABLE, event("p-1", 4, "fine"))).get(10, TimeUnit.SECONDS);
    http.putItem(TABLE, event("p-1", 5, "fine"));
    assertEquals(putErrors, errors("PutItem", null), "a request answered is not an error");
  }

  /** Failed {@code operation} requests with {@code code} (null: any). */
  private static double errors(String operation, String code) {
    var search = Metrics.globalRegistry.find("parley.dynamodb.errors").tag("operation", operation);
    return (code == null ? search : search.tag("code", code)).counters().stream().mapToDouble(Counter::count).sum();
  }

  private static <Q extends com.amazonaws.AmazonWebServiceRequest, S> AsyncHandler<Q, S> handler(CompletableFuture<S> heard) {
    return new AsyncHandler<>() {
      @Override
      public void onError(Exception failure) {
        heard.completeExceptionally(failure);
      }

      @Override
      public void onSuccess(Q request, S result) {
        heard.complete(result);
      }
    };
  }

  private static double count(String name, String operation) {
    var search = Metrics.globalRegistry.find(name);
    Counter counter = (operation == null ? search : search.tag("operation", operation)).counter();
    return counter == null ? 0 : counter.count();
  }

  private static Map<String, AttributeValue> key(String partition, int number) {
    return Map.of("par", new AttributeValue(partition), "num", new AttributeValue().withN(Integer.toString(number)));
  }

  private static Map<String, AttributeValue> event(String partition, int number, String payload) {
    return Map.of("par", new AttributeValue(partition), "num", new AttributeValue().withN(Integer.toString(number)),
        "payload", new AttributeValue(payload));
  }
}
