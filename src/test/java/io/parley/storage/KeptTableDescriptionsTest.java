package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.local.shared.access.LocalDBAccess;
import com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException;
import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BillingMode;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.ScalarAttributeType;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process client's table descriptions, on DynamoDB Local: read once while kept, dropped at
 * a change made through it, and a change made elsewhere (over HTTP) seen once they are a second old.
 */
class KeptTableDescriptionsTest {
  static final String TABLE = "described";
  static final Duration KEEP_FOR = Duration.ofSeconds(1);

  @TempDir Path dir;
  EmbeddedDynamoDb dynamo;
  AmazonDynamoDB http;
  /** Calls to the database for a table's description, under what is kept. */
  final AtomicInteger descriptionReads = new AtomicInteger();
  final AtomicLong nanos = new AtomicLong();
  AmazonDynamoDB keeping;

  @BeforeEach
  void start() throws Exception {
    dynamo = LocalDynamoDb.onFreePort(dir);
    http = DynamoDbClients.local(dynamo.endpoint());
    keeping = EmbeddedDynamoDb.mappingExceptions(EmbeddedDynamoDb.over(dynamo.local(),
        access -> KeptTableDescriptions.over(countingDescriptionReads(access), KEEP_FOR, nanos::get)));
    create(http, "a");
  }

  @AfterEach
  void stop() throws Exception {
    dynamo.close();
  }

  @Test
  void aTablesDescriptionIsReadOnceWhileKept() {
    keeping.putItem(TABLE, item("a", "1"));
    int reads = descriptionReads.get();
    assertTrue(reads > 0, "the first request reads the description");

    for (int i = 2; i <= 10; i++) {
      keeping.putItem(TABLE, item("a", Integer.toString(i)));
    }
    assertEquals(1, keeping.query(byKey("a", "7")).getCount());
    assertEquals("3", keeping.getItem(TABLE, item("a", "3")).getItem().get("a").getS());
    assertEquals(reads, descriptionReads.get(), "no request read it again while kept");

    nanos.addAndGet(KEEP_FOR.toNanos());
    keeping.getItem(TABLE, item("a", "3"));
    assertEquals(reads + 1, descriptionReads.get(), "read again once a second old");
  }

  @Test
  void aChangeThroughThisClientIsSeenAtOnce() {
    keeping.putItem(TABLE, item("a", "1"));
    keeping.deleteTable(TABLE);
    create(keeping, "b");

    keeping.putItem(TABLE, item("b", "1"));
    assertEquals("1", http.getItem(TABLE, item("b", "1")).getItem().get("b").getS());
  }

  @Test
  void aChangeMadeElsewhereIsSeenOnceWhatIsKeptIsASecondOld() {
    keeping.putItem(TABLE, item("a", "1"));
    http.deleteTable(TABLE);
    create(http, "b");

    // Still the description with key "a": refused, and nothing stored.
    assertThrows(AmazonDynamoDBException.class, () -> keeping.putItem(TABLE, item("b", "2")));
    assertEquals(0, http.scan(TABLE, null, null).getCount());

    nanos.addAndGet(KEEP_FOR.toNanos());
    keeping.putItem(TABLE, item("b", "2"));
    assertEquals("2", http.getItem(TABLE, item("b", "2")).getItem().get("b").getS());
  }

  private LocalDBAccess countingDescriptionReads(LocalDBAccess access) {
    return (LocalDBAccess) Proxy.newProxyInstance(LocalDBAccess.class.getClassLoader(),
        new Class<?>[] {LocalDBAccess.class}, (proxy, method, args) -> {
          if (method.getName().equals("getTableInfo")) {
            descriptionReads.incrementAndGet();
          }
          return InProcessDynamoDb.call(access, method, args);
        });
  }

  private static void create(AmazonDynamoDB client, String key) {
    client.createTable(new CreateTableRequest()
        .withTableName(TABLE)
        .withKeySchema(new KeySchemaElement(key, KeyType.HASH))
        .withAttributeDefinitions(new AttributeDefinition(key, ScalarAttributeType.S))
        .withBillingMode(BillingMode.PAY_PER_REQUEST));
  }

  private static Map<String, AttributeValue> item(String key, String value) {
    return Map.of(key, new AttributeValue(value));
  }

  private static QueryRequest byKey(String key, String value) {
    return new QueryRequest(TABLE).withKeyConditionExpression(key + " = :v")
        .withExpressionAttributeValues(Map.of(":v", new AttributeValue(value)));
  }
}
