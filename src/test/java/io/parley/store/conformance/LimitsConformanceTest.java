package io.parley.store.conformance;

import static io.parley.store.conformance.Sandbox.validation;
import static io.parley.store.conformance.Values.item;
import static io.parley.store.conformance.Values.map;
import static io.parley.store.conformance.Values.n;
import static io.parley.store.conformance.Values.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemResult;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import com.amazonaws.services.dynamodbv2.model.KeysAndAttributes;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.ScalarAttributeType;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.amazonaws.services.dynamodbv2.model.UpdateItemRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Limits from the developer guide's "Quotas in Amazon DynamoDB": key value sizes, nesting depth,
 * expression length, table names, and BatchGetItem's 16 MB answer.
 */
class LimitsConformanceTest {

  @ConformanceTest
  void keyValuesHaveTheirMaximumSizes(Sandbox box) {
    // Partition key values up to 2048 bytes, sort key values up to 1024 bytes.
    String table = box.table("pk", ScalarAttributeType.S, "sk", ScalarAttributeType.S);
    box.put(table, item("pk", s("p".repeat(2048)), "sk", s("s".repeat(1024))));
    validation(() -> box.put(table, item("pk", s("p".repeat(2049)), "sk", s("s"))));
    validation(() -> box.put(table, item("pk", s("p"), "sk", s("s".repeat(1025)))));
    assertEquals(1, box.db.scan(new ScanRequest(table).withConsistentRead(true)).getCount());
  }

  /**
   * A number's size is "approximately (length of attribute name) + (1 byte per two significant digits)
   * + (1 byte)" (developer guide, "Item sizes and formats"): 1E+125 has one significant digit, not
   * the 126 digits of its plain form. The item below is a few bytes within 400 KB by that rule.
   */
  @ConformanceTest
  void aNumberWeighsItsSignificantDigitsOnly(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    // "pk" + "a" + "d" + the payload + "n" + 2 bytes for the number: 10 bytes to spare.
    box.put(table, item("pk", s("a"), "d", s("x".repeat(400 * 1024 - 15)), "n", n("1E+125")));
    assertEquals(0, new java.math.BigDecimal("1E+125").compareTo(new java.math.BigDecimal(
        box.get(table, item("pk", s("a"))).get("n").getN())));
    box.put(table, item("pk", s("b"), "d", s("x".repeat(400 * 1024 - 15)), "n", n("-1000000000000000000000000000")));
  }

  /**
   * Developer guide, "Supported data types and naming rules": "Attribute names must be at least one
   * character long and less than 64 KB in size"; key attributes' names (API reference,
   * KeySchemaElement, AttributeName) from 1 to 255 characters.
   */
  @ConformanceTest
  void attributeNamesAreOneByteToUnder64Kilobytes(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "n".repeat(64 * 1024 - 1), s("x")));
    box.documented(Departure.ATTRIBUTE_NAMES_OF_NO_OR_64_KB_BYTES_ACCEPTED, () -> {
      validation(() -> box.put(table, item("pk", s("b"), "", s("x"))));
      validation(() -> box.put(table, item("pk", s("c"), "n".repeat(64 * 1024), s("x"))));
      validation(() -> box.db.updateItem(new UpdateItemRequest().withTableName(table)
          .withKey(item("pk", s("a"))).withUpdateExpression("SET #e = :v")
          .withExpressionAttributeNames(Map.of("#e", "")).withExpressionAttributeValues(item(":v", s("x")))));
      assertEquals(null, box.get(table, item("pk", s("b"))));
    }, () -> box.put(table, item("pk", s("b"), "", s("x"))));
    for (String name : List.of("", "k".repeat(256))) {
      CreateTableRequest request = new CreateTableRequest().withTableName(Sandbox.freshName()).withBillingMode("PAY_PER_REQUEST")
          .withAttributeDefinitions(new AttributeDefinition(name, ScalarAttributeType.S))
          .withKeySchema(new KeySchemaElement(name, KeyType.HASH));
      box.documented(Departure.ATTRIBUTE_NAMES_OF_NO_OR_64_KB_BYTES_ACCEPTED,
          () -> validation(() -> box.db.createTable(request), () -> name.length() + " characters"),
          () -> box.create(request));
    }
    box.create(new CreateTableRequest().withAttributeDefinitions(new AttributeDefinition("k".repeat(255), ScalarAttributeType.S))
        .withKeySchema(new KeySchemaElement("k".repeat(255), KeyType.HASH)));
  }

  @ConformanceTest
  void documentsNestUpTo32Levels(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "m", nested(31)));
    assertEquals(nested(31), box.get(table, item("pk", s("a"))).get("m"));
    validation(() -> box.put(table, item("pk", s("b"), "m", nested(40))));
  }

  /** A map holding a map ... {@code depth} maps deep. */
  private static AttributeValue nested(int depth) {
    AttributeValue value = n(1);
    for (int i = 0; i < depth; i++) {
      value = map("k", value);
    }
    return value;
  }

  @ConformanceTest
  void expressionsAreAtMostFourKilobytes(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    String longCondition = IntStream.range(0, 400).mapToObj(i -> "attribute_not_exists(a" + i + ")")
        .collect(Collectors.joining(" AND "));
    assertTrue(longCondition.length() > 4096);
    validation(() -> box.db.putItem(new PutItemRequest(table, item("pk", s("a"))).withConditionExpression(longCondition)));
  }

  /**
   * Within 4 KB, parentheses nest 2,000 deep: DynamoDB refuses them (redundant parentheses), and a
   * store must answer so rather than overflow its parser's stack. Nothing is written.
   */
  @ConformanceTest
  void parenthesesNestedThousandsDeepAreRefused(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    String deep = "(".repeat(2000) + "attribute_not_exists(a)" + ")".repeat(2000);
    assertTrue(deep.length() < 4096);
    validation(() -> box.db.putItem(new PutItemRequest(table, item("pk", s("a"))).withConditionExpression(deep)));
    assertEquals(0, box.db.scan(new ScanRequest(table).withConsistentRead(true)).getCount());
  }

  @ConformanceTest
  void tableNamesAreThreeTo255OfLettersDigitsUnderscoreDashDot(Sandbox box) {
    for (String name : List.of("ab", "has space", "slash/", "x".repeat(256))) {
      validation(() -> box.db.createTable(new CreateTableRequest().withTableName(name).withBillingMode("PAY_PER_REQUEST")
          .withAttributeDefinitions(new AttributeDefinition("pk", ScalarAttributeType.S))
          .withKeySchema(new KeySchemaElement("pk", KeyType.HASH))), () -> name);
    }
    String allowed = "conformance_A-1." + Sandbox.freshName().substring("conformance-".length());
    box.create(new CreateTableRequest().withTableName(allowed)
        .withAttributeDefinitions(new AttributeDefinition("pk", ScalarAttributeType.S))
        .withKeySchema(new KeySchemaElement("pk", KeyType.HASH)));
    assertEquals(allowed, box.db.describeTable(allowed).getTable().getTableName());
  }

  @ConformanceTest
  void batchGetAnswersAtMostSixteenMegabytesAndReturnsTheRestUnprocessed(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    int count = 60;
    int size = 350_000;
    for (int i = 0; i < count; i++) {
      box.put(table, item("pk", s("k" + i), "d", s("x".repeat(size))));
    }
    List<Map<String, AttributeValue>> keys = IntStream.range(0, count).mapToObj(i -> item("pk", s("k" + i))).toList();
    BatchGetItemResult first = box.db.batchGetItem(new BatchGetItemRequest(Map.of(table, new KeysAndAttributes().withKeys(keys))));
    List<Map<String, AttributeValue>> answered = new ArrayList<>(first.getResponses().get(table));
    assertTrue((long) answered.size() * size <= 16L * 1024 * 1024, answered.size() + " items of 350 KB in one answer");
    assertFalse(first.getUnprocessedKeys().isEmpty(), "the rest comes back as UnprocessedKeys");
    Map<String, KeysAndAttributes> pending = first.getUnprocessedKeys();
    while (!pending.isEmpty()) {
      BatchGetItemResult next = box.db.batchGetItem(new BatchGetItemRequest(pending));
      answered.addAll(next.getResponses().getOrDefault(table, List.of()));
      pending = next.getUnprocessedKeys() == null ? Map.of() : next.getUnprocessedKeys();
    }
    Map<String, Integer> seen = new HashMap<>();
    answered.forEach(i -> seen.merge(i.get("pk").getS(), 1, Integer::sum));
    assertEquals(count, seen.size());
    assertTrue(seen.values().stream().allMatch(times -> times == 1), "each item once");
  }
}
