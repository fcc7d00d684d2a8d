package io.parley.store;

import static io.parley.store.StoreFixture.item;
import static io.parley.store.StoreFixture.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder.EndpointConfiguration;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBClientBuilder;
import com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.ConditionCheck;
import com.amazonaws.services.dynamodbv2.model.ConditionalCheckFailedException;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.ResourceNotFoundException;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItem;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsRequest;
import com.amazonaws.services.dynamodbv2.model.TransactionCanceledException;
import com.amazonaws.services.dynamodbv2.model.UpdateItemRequest;
import io.parley.store.http.HttpDoor;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP door, through the AWS SDK v1's own HTTP client (which checks x-amz-crc32). */
class HttpDoorTest {
  @TempDir Path dir;
  EmbeddedStore store;
  HttpDoor door;
  AmazonDynamoDB dynamo;

  @BeforeEach
  void open() {
    store = EmbeddedStore.open(dir);
    door = store.serveHttp("127.0.0.1", 0);
    dynamo = AmazonDynamoDBClientBuilder.standard()
        .withEndpointConfiguration(new EndpointConfiguration(door.endpoint(), "us-east-1"))
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials("any", "any")))
        .build();
  }

  @AfterEach
  void close() {
    dynamo.shutdown();
    door.close();
    store.close();
  }

  @Test
  void operationsAnswerAsDynamoDbDoes() {
    dynamo.createTable(table("journal", "par", "num"));
    assertEquals(List.of("journal"), dynamo.listTables().getTableNames());
    assertEquals("ACTIVE", dynamo.describeTable("journal").getTable().getTableStatus());
    dynamo.putItem("journal", item("par", "p", "num", 1, "bin", new AttributeValue().withB(ByteBuffer.wrap(new byte[] {1, 2})),
        "nested", new AttributeValue().withM(Map.of("l", new AttributeValue().withL(new AttributeValue().withNULL(true))))));
    dynamo.putItem("journal", item("par", "p", "num", 2));
    Map<String, AttributeValue> got = dynamo.getItem("journal", item("par", "p", "num", 1)).getItem();
    assertEquals(ByteBuffer.wrap(new byte[] {1, 2}), got.get("bin").getB());
    assertEquals(true, got.get("nested").getM().get("l").getL().get(0).getNULL());
    var page = dynamo.query(new QueryRequest("journal").withKeyConditionExpression("par = :p AND num > :n")
        .withExpressionAttributeValues(item(":p", "p", ":n", 0)).withLimit(1));
    assertEquals(1, page.getCount());
    assertEquals(item("par", "p", "num", 1), page.getLastEvaluatedKey());
    assertEquals(item("par", "p", "num", 2, "c", 5), dynamo.updateItem(new UpdateItemRequest().withTableName("journal")
        .withKey(item("par", "p", "num", 2)).withUpdateExpression("ADD c :c").withExpressionAttributeValues(item(":c", 5))
        .withReturnValues("ALL_NEW")).getAttributes());
    dynamo.deleteItem("journal", item("par", "p", "num", 2));
    assertNull(dynamo.getItem("journal", item("par", "p", "num", 2)).getItem());
  }

  @Test
  void deletionProtectionIsRefusedRatherThanIgnored() {
    StoreFixture.assertDeletionProtectionRefused(dynamo);
  }

  @Test
  void refusalsArriveAsTheSdksExceptions() {
    dynamo.createTable(table("tbl", "k", null));
    PutItemRequest once = new PutItemRequest("tbl", item("k", "a")).withConditionExpression("attribute_not_exists(k)");
    dynamo.putItem(once);
    ConditionalCheckFailedException failed = assertThrows(ConditionalCheckFailedException.class, () -> dynamo.putItem(once));
    assertEquals(400, failed.getStatusCode());
    AmazonDynamoDBException invalid = assertThrows(AmazonDynamoDBException.class, () -> dynamo.putItem("tbl", item("k", "")));
    assertEquals("ValidationException", invalid.getErrorCode());
    assertThrows(ResourceNotFoundException.class, () -> dynamo.describeTable("missing"));
    TransactionCanceledException canceled = assertThrows(TransactionCanceledException.class, () -> dynamo.transactWriteItems(
        new TransactWriteItemsRequest().withTransactItems(
            new TransactWriteItem().withConditionCheck(new ConditionCheck().withTableName("tbl").withKey(item("k", "a"))
                .withConditionExpression("attribute_exists(k)")),
            new TransactWriteItem().withConditionCheck(new ConditionCheck().withTableName("tbl").withKey(item("k", "b"))
                .withConditionExpression("attribute_exists(k)")))));
    assertEquals(List.of("None", "ConditionalCheckFailed"),
        canceled.getCancellationReasons().stream().map(reason -> reason.getCode()).toList());
    ConditionalCheckFailedException withItem = assertThrows(ConditionalCheckFailedException.class,
        () -> dynamo.putItem(once.clone().withReturnValuesOnConditionCheckFailure("ALL_OLD")));
    assertEquals(item("k", "a"), withItem.getItem());
  }

  @Test
  void batchesIndexesTtlAndScansTravelTheJsonProtocol() {
    dynamo.createTable(new com.amazonaws.services.dynamodbv2.model.CreateTableRequest().withTableName("snaps")
        .withKeySchema(new com.amazonaws.services.dynamodbv2.model.KeySchemaElement("par", "HASH"),
            new com.amazonaws.services.dynamodbv2.model.KeySchemaElement("seq", "RANGE"))
        .withAttributeDefinitions(new com.amazonaws.services.dynamodbv2.model.AttributeDefinition("par", "S"),
            new com.amazonaws.services.dynamodbv2.model.AttributeDefinition("seq", "N"),
            new com.amazonaws.services.dynamodbv2.model.AttributeDefinition("ts", "N"))
        .withLocalSecondaryIndexes(new com.amazonaws.services.dynamodbv2.model.LocalSecondaryIndex().withIndexName("ts-idx")
            .withKeySchema(new com.amazonaws.services.dynamodbv2.model.KeySchemaElement("par", "HASH"),
                new com.amazonaws.services.dynamodbv2.model.KeySchemaElement("ts", "RANGE"))
            .withProjection(new com.amazonaws.services.dynamodbv2.model.Projection().withProjectionType("ALL")))
        .withGlobalSecondaryIndexes(new com.amazonaws.services.dynamodbv2.model.GlobalSecondaryIndex().withIndexName("by-ts")
            .withKeySchema(new com.amazonaws.services.dynamodbv2.model.KeySchemaElement("ts", "HASH"))
            .withProjection(new com.amazonaws.services.dynamodbv2.model.Projection().withProjectionType("INCLUDE")
                .withNonKeyAttributes("tag"))));
    var described = dynamo.describeTable("snaps").getTable();
    assertEquals("ts-idx", described.getLocalSecondaryIndexes().get(0).getIndexName());
    assertEquals(List.of("tag"), described.getGlobalSecondaryIndexes().get(0).getProjection().getNonKeyAttributes());
    List<com.amazonaws.services.dynamodbv2.model.WriteRequest> writes = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      writes.add(new com.amazonaws.services.dynamodbv2.model.WriteRequest().withPutRequest(
          new com.amazonaws.services.dynamodbv2.model.PutRequest(item("par", "p", "seq", i, "ts", 100 + i, "tag", "t" + i,
              "set", new AttributeValue().withNS("1", "2.50")))));
    }
    assertEquals(Map.of(), dynamo.batchWriteItem(Map.of("snaps", writes)).getUnprocessedItems());
    var got = dynamo.batchGetItem(Map.of("snaps", new com.amazonaws.services.dynamodbv2.model.KeysAndAttributes()
        .withKeys(item("par", "p", "seq", 1), item("par", "p", "seq", 9)).withProjectionExpression("#s")
        .withExpressionAttributeNames(Map.of("#s", "set"))));
    assertEquals(List.of(item("set", new AttributeValue().withNS("1", "2.5"))), got.getResponses().get("snaps"));
    assertEquals(Map.of(), got.getUnprocessedKeys());
    var byTs = dynamo.query(new QueryRequest("snaps").withIndexName("by-ts").withKeyConditionExpression("ts = :t")
        .withExpressionAttributeValues(item(":t", 103))).getItems();
    assertEquals(List.of(item("par", "p", "seq", 3, "ts", 103, "tag", "t3")), byTs);
    var lsi = dynamo.query(new QueryRequest("snaps").withIndexName("ts-idx").withKeyConditionExpression("par = :p AND ts >= :t")
        .withExpressionAttributeValues(item(":p", "p", ":t", 103)).withScanIndexForward(false)).getItems();
    assertEquals(List.of("4", "3"), lsi.stream().map(one -> one.get("seq").getN()).toList());
    var scanned = dynamo.scan(new com.amazonaws.services.dynamodbv2.model.ScanRequest("snaps").withLimit(2)
        .withFilterExpression("contains(#s, :n)").withExpressionAttributeNames(Map.of("#s", "set"))
        .withExpressionAttributeValues(item(":n", 1)));
    assertEquals(2, scanned.getCount());
    assertEquals(item("par", "p", "seq", 1), scanned.getLastEvaluatedKey());
    dynamo.updateTimeToLive(new com.amazonaws.services.dynamodbv2.model.UpdateTimeToLiveRequest().withTableName("snaps")
        .withTimeToLiveSpecification(new com.amazonaws.services.dynamodbv2.model.TimeToLiveSpecification()
            .withAttributeName("ts").withEnabled(true)));
    var ttl = dynamo.describeTimeToLive(new com.amazonaws.services.dynamodbv2.model.DescribeTimeToLiveRequest()
        .withTableName("snaps")).getTimeToLiveDescription();
    assertEquals("ENABLED", ttl.getTimeToLiveStatus());
    assertEquals("ts", ttl.getAttributeName());
    assertEquals("snaps", dynamo.deleteTable("snaps").getTableDescription().getTableName());
    assertEquals(List.of(), dynamo.listTables().getTableNames());
  }

  @Test
  void unknownOperationsAndBadBodiesAreRefused() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(door.endpoint() + "/"))
        .header("X-Amz-Target", "DynamoDB_20120810.RestoreTableFromBackup")
        .header("Content-Type", "application/x-amz-json-1.0")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, unknown.statusCode());
    assertTrue(unknown.body().contains("UnknownOperationException"), unknown.body());
    assertTrue(unknown.headers().firstValue("x-amz-crc32").isPresent());
    HttpResponse<String> broken = http.send(HttpRequest.newBuilder(URI.create(door.endpoint() + "/"))
        .header("X-Amz-Target", "DynamoDB_20120810.ListTables")
        .POST(HttpRequest.BodyPublishers.ofString("{not json")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, broken.statusCode());
    assertTrue(broken.body().contains("SerializationException"), broken.body());

    // Read whole before, whatever its size: one request could take the heap.
    byte[] tooLarge = new byte[HttpDoor.MAX_REQUEST_BYTES + 1];
    java.util.Arrays.fill(tooLarge, (byte) ' ');
    HttpResponse<String> large = http.send(HttpRequest.newBuilder(URI.create(door.endpoint() + "/"))
        .header("X-Amz-Target", "DynamoDB_20120810.ListTables")
        .POST(HttpRequest.BodyPublishers.ofByteArray(tooLarge)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(413, large.statusCode(), large.body());
    assertTrue(large.body().contains("ValidationException"), large.body());
  }

  /**
   * A member of the wrong JSON type is a SerializationException, as DynamoDB's JSON protocol answers
   * it: read leniently, "yes" was a false ConsistentRead, "no" a forward ScanIndexForward, 1.5 a Limit
   * of 1 and a name placeholder of 5 the attribute "5", each a silently different answer.
   */
  @Test
  void membersOfTheWrongJsonTypeAreRefused() throws Exception {
    dynamo.createTable(table("typed", "pk", null));
    String query = "\"TableName\":\"typed\",\"KeyConditionExpression\":\"pk = :p\","
        + "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"a\"}}";
    List<String[]> wrong = List.of(
        new String[] {"GetItem", "{\"TableName\":\"typed\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ConsistentRead\":\"yes\"}"},
        new String[] {"GetItem", "{\"TableName\":\"typed\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ProjectionExpression\":[\"pk\"]}"},
        new String[] {"GetItem", "{\"TableName\":5,\"Key\":{\"pk\":{\"S\":\"a\"}}}"},
        new String[] {"Query", "{" + query + ",\"ScanIndexForward\":\"no\"}"},
        new String[] {"Query", "{" + query + ",\"Limit\":1.5}"},
        new String[] {"Query", "{" + query + ",\"Limit\":\"ten\"}"},
        new String[] {"Query", "{" + query + ",\"Limit\":99999999999}"},
        new String[] {"PutItem", "{\"TableName\":\"typed\",\"Item\":{\"pk\":{\"S\":\"a\"}},"
            + "\"ConditionExpression\":\"attribute_not_exists(#n)\",\"ExpressionAttributeNames\":{\"#n\":5}}"},
        new String[] {"UpdateTimeToLive", "{\"TableName\":\"typed\",\"TimeToLiveSpecification\":"
            + "{\"Enabled\":\"yes\",\"AttributeName\":\"ttl\"}}"},
        new String[] {"PutItem", "{\"TableName\":\"typed\",\"Item\":{\"pk\":{\"S\":5}}}"},
        new String[] {"PutItem", "{\"TableName\":\"typed\",\"Item\":{\"pk\":{\"S\":\"a\"},\"l\":{\"L\":\"x\"}}}"},
        // A TransactItems that is no list was an empty transaction, refused as a null one.
        new String[] {"TransactWriteItems", "{\"TransactItems\":\"all\"}"});
    HttpClient http = HttpClient.newHttpClient();
    for (String[] request : wrong) {
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(door.endpoint() + "/"))
          .header("X-Amz-Target", "DynamoDB_20120810." + request[0])
          .header("Content-Type", "application/x-amz-json-1.0")
          .POST(HttpRequest.BodyPublishers.ofString(request[1])).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(400, answer.statusCode(), request[1] + " -> " + answer.body());
      assertTrue(answer.body().contains("SerializationException"), request[1] + " -> " + answer.body());
    }
    assertEquals(0, dynamo.scan(new com.amazonaws.services.dynamodbv2.model.ScanRequest("typed")).getCount(), "nothing was written");

    // Enabled is required (API reference, TimeToLiveSpecification); a missing one was taken as false.
    HttpResponse<String> noEnabled = http.send(HttpRequest.newBuilder(URI.create(door.endpoint() + "/"))
        .header("X-Amz-Target", "DynamoDB_20120810.UpdateTimeToLive")
        .header("Content-Type", "application/x-amz-json-1.0")
        .POST(HttpRequest.BodyPublishers.ofString("{\"TableName\":\"typed\",\"TimeToLiveSpecification\":"
            + "{\"AttributeName\":\"ttl\"}}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, noEnabled.statusCode(), noEnabled.body());
    assertTrue(noEnabled.body().contains("ValidationException") && noEnabled.body().contains("enabled"), noEnabled.body());
  }

  /** Clients that hold their bodies back take at most MAX_REQUESTS_AT_ONCE threads, and each is answered in turn. */
  @Test
  void stalledRequestsTakeABoundedNumberOfThreads() throws Exception {
    int port = door.endpointUri().getPort();
    byte[] headers = ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
        + "Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < HttpDoor.MAX_REQUESTS_AT_ONCE + 36; i++) {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        socket.getOutputStream().write(headers);
        stalled.add(socket);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (doorThreads(port) < HttpDoor.MAX_REQUESTS_AT_ONCE && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      int most = doorThreads(port);
      assertEquals(HttpDoor.MAX_REQUESTS_AT_ONCE, most, "every thread waits for a body");
      // In the order sent: a request past the bound runs once one before it is answered.
      for (Socket socket : stalled) {
        socket.getOutputStream().write("{}".getBytes(StandardCharsets.US_ASCII));
        String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        assertEquals("HTTP/1.1 200", status);
        most = Math.max(most, doorThreads(port));
      }
      assertEquals(HttpDoor.MAX_REQUESTS_AT_ONCE, most);
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
  }

  private static int doorThreads(int port) {
    String name = "parley-store-http-" + port;
    return (int) Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().equals(name)).count();
  }
}
