package io.parley.store.conformance;

import static io.parley.store.conformance.Sandbox.validation;
import static io.parley.store.conformance.Values.item;
import static io.parley.store.conformance.Values.n;
import static io.parley.store.conformance.Values.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemResult;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemResult;
import com.amazonaws.services.dynamodbv2.model.ConsumedCapacity;
import com.amazonaws.services.dynamodbv2.model.DeleteRequest;
import com.amazonaws.services.dynamodbv2.model.KeysAndAttributes;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.ResourceNotFoundException;
import com.amazonaws.services.dynamodbv2.model.ReturnConsumedCapacity;
import com.amazonaws.services.dynamodbv2.model.ScalarAttributeType;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** BatchGetItem (up to 100 keys) and BatchWriteItem (up to 25 requests), and what they refuse. */
class BatchConformanceTest {

  private static List<WriteRequest> puts(int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> new WriteRequest(new PutRequest(item("pk", s("k" + i), "v", n(i))))).toList();
  }

  private static List<Map<String, AttributeValue>> keys(int count) {
    return IntStream.range(0, count).mapToObj(i -> item("pk", s("k" + i))).toList();
  }

  /** Writes, resending what comes back unprocessed (which DynamoDB may do under load). */
  private static void write(Sandbox box, String table, List<WriteRequest> requests) {
    Map<String, List<WriteRequest>> pending = Map.of(table, requests);
    while (!pending.isEmpty()) {
      BatchWriteItemResult result = box.db.batchWriteItem(new BatchWriteItemRequest(pending));
      pending = result.getUnprocessedItems() == null ? Map.of() : result.getUnprocessedItems();
    }
  }

  /** Reads, asking again for unprocessed keys (DynamoDB may return some under load or past 16 MB). */
  private static List<Map<String, AttributeValue>> read(Sandbox box, String table, KeysAndAttributes keys) {
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    Map<String, KeysAndAttributes> pending = Map.of(table, keys);
    while (!pending.isEmpty()) {
      BatchGetItemResult result = box.db.batchGetItem(new BatchGetItemRequest(pending));
      items.addAll(result.getResponses().getOrDefault(table, List.of()));
      pending = result.getUnprocessedKeys() == null ? Map.of() : result.getUnprocessedKeys();
    }
    return items;
  }

  @ConformanceTest
  void writesTwentyFiveAndReadsAHundredAtOnce(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    for (int from = 0; from < 100; from += 25) {
      int start = from;
      write(box, table, puts(100).subList(start, start + 25));
    }
    List<Map<String, AttributeValue>> items = read(box, table, new KeysAndAttributes().withKeys(keys(100)).withConsistentRead(true));
    Map<String, String> values = new HashMap<>();
    items.forEach(i -> values.put(i.get("pk").getS(), i.get("v").getN()));
    assertEquals(100, values.size());
    IntStream.range(0, 100).forEach(i -> assertEquals(Integer.toString(i), values.get("k" + i)));
  }

  @ConformanceTest
  void batchGetLeavesOutMissingItemsAndProjects(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    write(box, table, puts(3));
    List<Map<String, AttributeValue>> keys = new ArrayList<>(keys(3));
    keys.add(item("pk", s("absent")));
    List<Map<String, AttributeValue>> items = read(box, table, new KeysAndAttributes().withKeys(keys)
        .withProjectionExpression("#v").withExpressionAttributeNames(Map.of("#v", "v")));
    assertEquals(3, items.size());
    items.forEach(i -> assertEquals(List.of("v"), List.copyOf(i.keySet())));
  }

  @ConformanceTest
  void consumedCapacityIsReportedPerTableWhenAsked(Sandbox box) {
    // The journal plugin and Parley's write coalescer ask for TOTAL: one ConsumedCapacity per table.
    String table = box.table("pk", ScalarAttributeType.S);
    BatchWriteItemResult written = box.db.batchWriteItem(new BatchWriteItemRequest(Map.of(table, puts(3)))
        .withReturnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    assertEquals(List.of(table), written.getConsumedCapacity().stream().map(ConsumedCapacity::getTableName).toList());
    assertTrue(written.getConsumedCapacity().get(0).getCapacityUnits() > 0);
    BatchGetItemResult read = box.db.batchGetItem(new BatchGetItemRequest(Map.of(table, new KeysAndAttributes().withKeys(keys(3))))
        .withReturnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    assertEquals(List.of(table), read.getConsumedCapacity().stream().map(ConsumedCapacity::getTableName).toList());
    assertNull(box.db.batchWriteItem(new BatchWriteItemRequest(Map.of(table, puts(1)))).getConsumedCapacity(),
        "none unless asked");
  }

  @ConformanceTest
  void legacyAttributesToGetProjectsLikeAProjectionExpression(Sandbox box) {
    // Parley's read coalescer passes AttributesToGet through; it cannot be mixed with expressions.
    String table = box.table("pk", ScalarAttributeType.S);
    write(box, table, puts(2));
    assertEquals(List.of(item("v", n(0)), item("v", n(1))), read(box, table, new KeysAndAttributes().withKeys(keys(2))
        .withAttributesToGet("v")).stream().sorted(java.util.Comparator.comparing(i -> i.get("v").getN())).toList());
    validation(() -> box.db.batchGetItem(new BatchGetItemRequest(Map.of(table, new KeysAndAttributes().withKeys(keys(1))
        .withAttributesToGet("v").withProjectionExpression("pk")))));
  }

  @ConformanceTest
  void batchWriteDeletesAndPutsAcrossTables(Sandbox box) {
    String first = box.table("pk", ScalarAttributeType.S);
    String second = box.table("pk", ScalarAttributeType.S);
    write(box, first, puts(2));
    box.db.batchWriteItem(new BatchWriteItemRequest(Map.of(
        first, List.of(new WriteRequest(new DeleteRequest(item("pk", s("k0")))), new WriteRequest(new DeleteRequest(item("pk", s("none"))))),
        second, List.of(new WriteRequest(new PutRequest(item("pk", s("x"))))))));
    assertNull(box.get(first, item("pk", s("k0"))));
    assertEquals(item("pk", s("k1"), "v", n(1)), box.get(first, item("pk", s("k1"))));
    assertEquals(item("pk", s("x")), box.get(second, item("pk", s("x"))));
  }

  @ConformanceTest
  void refusesOversizedOrAmbiguousBatchesWhole(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    validation(() -> box.db.batchWriteItem(new BatchWriteItemRequest(Map.of(table, puts(26)))));
    validation(() -> box.db.batchWriteItem(new BatchWriteItemRequest(Map.of(table, List.of(
        new WriteRequest(new PutRequest(item("pk", s("k0")))), new WriteRequest(new DeleteRequest(item("pk", s("k0")))))))));
    validation(() -> box.db.batchWriteItem(new BatchWriteItemRequest(Map.of(table, List.of(
        new WriteRequest(new PutRequest(item("pk", s("k1")))), new WriteRequest(new PutRequest(item("pk", s("k2"), "big",
            s("x".repeat(400 * 1024))))))))));
    validation(() -> box.db.batchWriteItem(new BatchWriteItemRequest(Map.of(table, List.of()))));
    assertEquals(0, box.db.scan(table, List.of("pk")).getCount(), "nothing of a refused batch is written");

    validation(() -> box.db.batchGetItem(new BatchGetItemRequest(Map.of(table, new KeysAndAttributes().withKeys(keys(101))))));
    validation(() -> box.db.batchGetItem(new BatchGetItemRequest(Map.of(table, new KeysAndAttributes()
        .withKeys(item("pk", s("k0")), item("pk", s("k0")))))));
    validation(() -> box.db.batchGetItem(new BatchGetItemRequest(Map.of(table, new KeysAndAttributes()
        .withKeys(item("pk", n(1)))))));
    assertThrows(ResourceNotFoundException.class, () -> box.db.batchGetItem(new BatchGetItemRequest(
        Map.of(Sandbox.freshName(), new KeysAndAttributes().withKeys(keys(1))))));
    assertThrows(ResourceNotFoundException.class, () -> box.db.batchWriteItem(new BatchWriteItemRequest(
        Map.of(Sandbox.freshName(), puts(1)))));
  }
}
