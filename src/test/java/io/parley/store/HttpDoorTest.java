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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
  }
}
