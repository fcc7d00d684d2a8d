package io.parley.store;

import static io.parley.store.ItemOperationsTest.assertValidation;
import static io.parley.store.StoreFixture.item;
import static io.parley.store.StoreFixture.n;
import static io.parley.store.StoreFixture.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.GlobalSecondaryIndex;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import com.amazonaws.services.dynamodbv2.model.LocalSecondaryIndex;
import com.amazonaws.services.dynamodbv2.model.Projection;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.QueryResult;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.amazonaws.services.dynamodbv2.model.ScanResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Query and Scan: key conditions, order, paging, filters, indexes. */
class QueryAndScanTest extends InProcessStoreTest {
  @BeforeEach
  void createTables() {
    dynamo.createTable(new CreateTableRequest().withTableName("journal")
        .withKeySchema(new KeySchemaElement("par", KeyType.HASH), new KeySchemaElement("num", KeyType.RANGE))
        .withAttributeDefinitions(new AttributeDefinition("par", "S"), new AttributeDefinition("num", "N"),
            new AttributeDefinition("ts", "N"), new AttributeDefinition("g", "S"))
        .withLocalSecondaryIndexes(new LocalSecondaryIndex().withIndexName("ts-idx")
            .withKeySchema(new KeySchemaElement("par", KeyType.HASH), new KeySchemaElement("ts", KeyType.RANGE))
            .withProjection(new Projection().withProjectionType("ALL")))
        .withGlobalSecondaryIndexes(new GlobalSecondaryIndex().withIndexName("by-g")
            .withKeySchema(new KeySchemaElement("g", KeyType.HASH), new KeySchemaElement("num", KeyType.RANGE))
            .withProjection(new Projection().withProjectionType("KEYS_ONLY"))));
    for (int i = -5; i <= 20; i++) {
      dynamo.putItem("journal", item("par", "p", "num", i, "ts", 100 - i, "payload", "v" + i, "g", i % 2 == 0 ? "even" : "odd"));
    }
    dynamo.putItem("journal", item("par", "other", "num", 1, "ts", 1));
  }

  private static List<String> nums(List<Map<String, AttributeValue>> items) {
    return items.stream().map(item -> item.get("num").getN()).toList();
  }

  private QueryRequest query(String condition, Object... values) {
    return new QueryRequest("journal").withKeyConditionExpression(condition).withExpressionAttributeValues(item(values))
        .withConsistentRead(true);
  }

  @Test
  void rangeConditionsSelectByNumericOrder() {
    assertEquals(List.of("3", "4", "5"), nums(dynamo.query(query("par = :p AND num BETWEEN :a AND :b", ":p", "p", ":a", 3, ":b", 5)).getItems()));
    assertEquals(List.of("-5", "-4", "-3"), nums(dynamo.query(query("par = :p AND num < :a", ":p", "p", ":a", -2)).getItems()));
    assertEquals(List.of("19", "20"), nums(dynamo.query(query("par = :p AND num >= :a", ":p", "p", ":a", 19)).getItems()));
    assertEquals(List.of("20", "19"), nums(dynamo.query(query("par = :p AND num > :a", ":p", "p", ":a", 18).withScanIndexForward(false)).getItems()));
    assertEquals(List.of("7"), nums(dynamo.query(query("par = :p AND num = :a", ":p", "p", ":a", 7)).getItems()));
    assertEquals(26, dynamo.query(query("par = :p", ":p", "p")).getCount());
  }

  @Test
  void limitPagesVisitEveryItemOnceInEitherDirection() {
    for (boolean forward : new boolean[] {true, false}) {
      List<String> seen = new ArrayList<>();
      Map<String, AttributeValue> start = null;
      int pages = 0;
      do {
        QueryResult page = dynamo.query(query("par = :p", ":p", "p").withLimit(4).withScanIndexForward(forward).withExclusiveStartKey(start));
        seen.addAll(nums(page.getItems()));
        start = page.getLastEvaluatedKey();
        pages++;
      } while (start != null);
      assertEquals(26, seen.size());
      assertEquals(26, new HashSet<>(seen).size());
      assertEquals(forward ? "-5" : "20", seen.get(0));
      assertEquals(7, pages, "26 items at 4 a page, and a last page that finds nothing after the 7th page's key is not needed");
    }
  }

  @Test
  void filterAppliesAfterLimit() {
    QueryResult page = dynamo.query(query("par = :p", ":p", "p", ":v", "v3").withFilterExpression("payload = :v").withLimit(5));
    assertEquals(0, page.getCount());
    assertEquals(5, page.getScannedCount());
    assertNotNull(page.getLastEvaluatedKey());
    assertEquals(List.of("3"), nums(dynamo.query(query("par = :p", ":p", "p", ":v", "v3").withFilterExpression("payload = :v")).getItems()));
    assertValidation(() -> dynamo.query(query("par = :p", ":p", "p", ":v", 3).withFilterExpression("num = :v")), "non-primary key");
  }

  @Test
  void selectCountAndProjections() {
    QueryResult counted = dynamo.query(query("par = :p", ":p", "p").withSelect("COUNT"));
    assertEquals(26, counted.getCount());
    assertNull(counted.getItems());
    QueryResult projected = dynamo.query(query("par = :p AND num = :n", ":p", "p", ":n", 1).withProjectionExpression("payload"));
    assertEquals(List.of(item("payload", "v1")), projected.getItems());
  }

  @Test
  void localIndexOrdersByItsRangeKey() {
    List<Map<String, AttributeValue>> items = dynamo.query(new QueryRequest("journal").withIndexName("ts-idx")
        .withKeyConditionExpression("par = :p AND ts <= :t").withExpressionAttributeValues(item(":p", "p", ":t", 82))).getItems();
    assertEquals(List.of("20", "19", "18"), nums(items));
    assertEquals(s("v20"), items.get(0).get("payload"));
  }

  @Test
  void globalIndexHoldsItsProjectionAndRefusesConsistentReads() {
    List<Map<String, AttributeValue>> items = dynamo.query(new QueryRequest("journal").withIndexName("by-g")
        .withKeyConditionExpression("g = :g AND num > :n").withExpressionAttributeValues(item(":g", "odd", ":n", 15))).getItems();
    assertEquals(List.of(item("par", "p", "num", 17, "g", "odd"), item("par", "p", "num", 19, "g", "odd")), items);
    assertValidation(() -> dynamo.query(new QueryRequest("journal").withIndexName("by-g").withConsistentRead(true)
        .withKeyConditionExpression("g = :g").withExpressionAttributeValues(item(":g", "odd"))), "Consistent reads are not supported");
    assertValidation(() -> dynamo.query(new QueryRequest("journal").withIndexName("by-g").withSelect("ALL_ATTRIBUTES")
        .withKeyConditionExpression("g = :g").withExpressionAttributeValues(item(":g", "odd"))), "projection type is not ALL");
    // The index follows updates and deletes.
    dynamo.deleteItem("journal", item("par", "p", "num", 17));
    dynamo.putItem("journal", item("par", "p", "num", 19, "g", "even"));
    assertEquals(List.of(), dynamo.query(new QueryRequest("journal").withIndexName("by-g")
        .withKeyConditionExpression("g = :g AND num > :n").withExpressionAttributeValues(item(":g", "odd", ":n", 15))).getItems());
  }

  @Test
  void globalIndexPagesVisitEveryItemOnce() {
    Set<String> seen = new HashSet<>();
    Map<String, AttributeValue> start = null;
    do {
      QueryResult page = dynamo.query(new QueryRequest("journal").withIndexName("by-g").withLimit(3).withExclusiveStartKey(start)
          .withKeyConditionExpression("g = :g").withExpressionAttributeValues(item(":g", "even")));
      page.getItems().forEach(item -> assertEquals(true, seen.add(item.get("num").getN())));
      start = page.getLastEvaluatedKey();
    } while (start != null);
    assertEquals(13, seen.size());
  }

  @Test
  void keyConditionsMustNameTheKeys() {
    assertValidation(() -> dynamo.query(query("num = :n", ":n", 1)), "missed key schema element");
    assertValidation(() -> dynamo.query(query("par = :p OR num = :n", ":p", "p", ":n", 1)), "KeyConditionExpression");
    assertValidation(() -> dynamo.query(query("par = :p AND begins_with(num, :n)", ":p", "p", ":n", 1)), "begins_with");
    assertValidation(() -> dynamo.query(query("par = :p", ":p", n("1"))), "does not match schema type");
  }

  @Test
  void scanPagesVisitEveryItemOnceWithFilters() {
    Set<String> seen = new HashSet<>();
    Map<String, AttributeValue> start = null;
    int matched = 0;
    do {
      ScanResult page = dynamo.scan(new ScanRequest("journal").withLimit(5).withExclusiveStartKey(start)
          .withFilterExpression("num > :z").withExpressionAttributeValues(item(":z", 0)));
      matched += page.getCount();
      page.getItems().forEach(item -> seen.add(item.get("par").getS() + item.get("num").getN()));
      start = page.getLastEvaluatedKey();
    } while (start != null);
    assertEquals(21, matched);
    assertEquals(21, seen.size());
    assertValidation(() -> dynamo.scan(new ScanRequest("journal").withSegment(2).withTotalSegments(2)), "less than");
    assertValidation(() -> dynamo.scan(new ScanRequest("journal").withSegment(0)), "TotalSegments");
  }

  @Test
  void parallelScanSegmentsShareTheItemsOut() {
    for (int i = 0; i < 40; i++) {
      dynamo.putItem("journal", item("par", "pid-" + i, "num", 1));
    }
    Set<String> seen = new HashSet<>();
    int total = 0;
    for (int segment = 0; segment < 4; segment++) {
      Map<String, AttributeValue> start = null;
      do {
        ScanResult page = dynamo.scan(new ScanRequest("journal").withSegment(segment).withTotalSegments(4).withLimit(7)
            .withExclusiveStartKey(start));
        page.getItems().forEach(item -> seen.add(item.get("par").getS() + "/" + item.get("num").getN()));
        total += page.getCount();
        start = page.getLastEvaluatedKey();
      } while (start != null);
    }
    assertEquals(67, total, "every item once: 26 + 1 + 40");
    assertEquals(67, seen.size());
  }

  @Test
  void pagesEndAtOneMegabyte() {
    String payload = "x".repeat(100_000);
    for (int i = 0; i < 25; i++) {
      dynamo.putItem("journal", item("par", "big", "num", i, "payload", payload));
    }
    QueryResult first = dynamo.query(query("par = :p", ":p", "big"));
    assertEquals(11, first.getCount(), "reading stops at the item that reaches 1 MB");
    assertNotNull(first.getLastEvaluatedKey());
    QueryResult rest = dynamo.query(query("par = :p", ":p", "big").withExclusiveStartKey(first.getLastEvaluatedKey()));
    QueryResult last = dynamo.query(query("par = :p", ":p", "big").withExclusiveStartKey(rest.getLastEvaluatedKey()));
    assertEquals(25, first.getCount() + rest.getCount() + last.getCount());
    assertNull(last.getLastEvaluatedKey());
  }

  @Test
  void binaryAndStringKeysSortByteWise() {
    dynamo.createTable(new CreateTableRequest().withTableName("bin")
        .withKeySchema(new KeySchemaElement("h", KeyType.HASH), new KeySchemaElement("r", KeyType.RANGE))
        .withAttributeDefinitions(new AttributeDefinition("h", "S"), new AttributeDefinition("r", "B")));
    byte[][] ranges = {{(byte) 0x80}, {0x01}, {(byte) 0xFF, 0x00}, {0x7F}, {0x01, 0x00}};
    for (byte[] range : ranges) {
      dynamo.putItem("bin", item("h", "x", "r", new AttributeValue().withB(ByteBuffer.wrap(range))));
    }
    List<Integer> firstBytes = new ArrayList<>();
    dynamo.query(new QueryRequest("bin").withKeyConditionExpression("h = :h").withExpressionAttributeValues(item(":h", "x")))
        .getItems().forEach(item -> {
          ByteBuffer b = item.get("r").getB();
          firstBytes.add((b.get(0) & 0xFF) * 1000 + b.remaining());
        });
    assertEquals(List.of(1001, 1002, 127001, 128001, 255002), firstBytes);
  }
}
