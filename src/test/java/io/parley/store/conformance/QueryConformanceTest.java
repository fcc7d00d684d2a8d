package io.parley.store.conformance;

import static io.parley.store.conformance.Sandbox.validation;
import static io.parley.store.conformance.Values.column;
import static io.parley.store.conformance.Values.item;
import static io.parley.store.conformance.Values.n;
import static io.parley.store.conformance.Values.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.GlobalSecondaryIndex;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import com.amazonaws.services.dynamodbv2.model.LocalSecondaryIndex;
import com.amazonaws.services.dynamodbv2.model.Projection;
import com.amazonaws.services.dynamodbv2.model.ProjectionType;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.QueryResult;
import com.amazonaws.services.dynamodbv2.model.ScalarAttributeType;
import com.amazonaws.services.dynamodbv2.model.Select;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Query: key conditions on the table, an LSI and a GSI, order, paging, the 1 MB page, projections,
 * filters (applied after Limit) and Select COUNT.
 */
class QueryConformanceTest {
  private static final int ITEMS = 20;

  /** Table (pk S, sk N), LSI by-tag (pk, tag S), GSI by-group (g S, sk N) keys only; pk "p" has sk 1..20. */
  private static String filled(Sandbox box) {
    String table = box.create(new CreateTableRequest()
        .withAttributeDefinitions(new AttributeDefinition("pk", ScalarAttributeType.S),
            new AttributeDefinition("sk", ScalarAttributeType.N), new AttributeDefinition("tag", ScalarAttributeType.S),
            new AttributeDefinition("g", ScalarAttributeType.S))
        .withKeySchema(new KeySchemaElement("pk", KeyType.HASH), new KeySchemaElement("sk", KeyType.RANGE))
        .withLocalSecondaryIndexes(new LocalSecondaryIndex().withIndexName("by-tag")
            .withKeySchema(new KeySchemaElement("pk", KeyType.HASH), new KeySchemaElement("tag", KeyType.RANGE))
            .withProjection(new Projection().withProjectionType(ProjectionType.ALL)))
        .withGlobalSecondaryIndexes(new GlobalSecondaryIndex().withIndexName("by-group")
            .withKeySchema(new KeySchemaElement("g", KeyType.HASH), new KeySchemaElement("sk", KeyType.RANGE))
            .withProjection(new Projection().withProjectionType(ProjectionType.KEYS_ONLY))));
    for (int i = 1; i <= ITEMS; i++) {
      Map<String, AttributeValue> item = item("pk", s("p"), "sk", n(i), "tag", s(String.format("t%02d", ITEMS + 1 - i)),
          "even", Values.bool(i % 2 == 0), "payload", s("x".repeat(i)));
      if (i % 4 == 0) {
        item.put("g", s("fours"));
      }
      box.put(table, item);
    }
    box.put(table, item("pk", s("other"), "sk", n(1), "g", s("fours")));
    return table;
  }

  private static QueryRequest on(String table, String condition, Object... values) {
    return new QueryRequest(table).withKeyConditionExpression(condition).withConsistentRead(true)
        .withExpressionAttributeValues(item(values));
  }

  private static List<String> sks(QueryResult result) {
    return column(result.getItems(), "sk");
  }

  private static List<String> range(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(Integer::toString).toList();
  }

  private static List<String> descending(int from, int to) {
    return IntStream.rangeClosed(from, to).map(i -> to + from - i).mapToObj(Integer::toString).toList();
  }

  @ConformanceTest
  void everyKeyConditionOperator(Sandbox box) {
    String table = filled(box);
    assertEquals(range(1, ITEMS), sks(box.db.query(on(table, "pk = :p", ":p", s("p")))));
    assertEquals(List.of("5"), sks(box.db.query(on(table, "pk = :p AND sk = :v", ":p", s("p"), ":v", n(5)))));
    assertEquals(range(1, 4), sks(box.db.query(on(table, "pk = :p AND sk < :v", ":p", s("p"), ":v", n(5)))));
    assertEquals(range(1, 5), sks(box.db.query(on(table, "pk = :p AND sk <= :v", ":p", s("p"), ":v", n(5)))));
    assertEquals(range(16, 20), sks(box.db.query(on(table, "pk = :p AND sk > :v", ":p", s("p"), ":v", n(15)))));
    assertEquals(range(15, 20), sks(box.db.query(on(table, "pk = :p AND sk >= :v", ":p", s("p"), ":v", n(15)))));
    assertEquals(range(3, 7), sks(box.db.query(on(table, "pk = :p AND sk BETWEEN :a AND :b",
        ":p", s("p"), ":a", n(3), ":b", n(7)))));
    assertEquals(List.of("t01", "t02", "t03", "t04", "t05", "t06", "t07", "t08", "t09"),
        column(box.db.query(on(table, "pk = :p AND begins_with(tag, :t0)", ":p", s("p"), ":t0", s("t0"))
            .withIndexName("by-tag")).getItems(), "tag"));
    assertEquals(List.of(), box.db.query(on(table, "pk = :p", ":p", s("nobody"))).getItems());
  }

  @ConformanceTest
  void scanIndexForwardFalseReadsBackwards(Sandbox box) {
    String table = filled(box);
    assertEquals(descending(1, ITEMS), sks(box.db.query(on(table, "pk = :p", ":p", s("p")).withScanIndexForward(false))));
    assertEquals(List.of("20", "19"), sks(box.db.query(on(table, "pk = :p", ":p", s("p"))
        .withScanIndexForward(false).withLimit(2))));
  }

  @ConformanceTest
  void pagingWithLimitVisitsEveryItemOnceInEitherDirection(Sandbox box) {
    String table = filled(box);
    for (boolean forward : List.of(true, false)) {
      for (int limit : List.of(1, 3, 7, ITEMS, ITEMS + 1)) {
        Pages pages = Pages.query(box.db, on(table, "pk = :p", ":p", s("p")).withLimit(limit).withScanIndexForward(forward));
        List<String> expected = forward ? range(1, ITEMS) : descending(1, ITEMS);
        assertEquals(expected, column(pages.items(), "sk"), "limit " + limit);
        assertTrue(pages.pages.stream().allMatch(page -> page.size() <= limit));
      }
    }
  }

  @ConformanceTest
  void aPageStopsAtOneMegabyte(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S, "sk", ScalarAttributeType.N);
    int itemSize = 100_000;
    int count = 25;
    for (int i = 0; i < count; i++) {
      box.put(table, item("pk", s("p"), "sk", n(i), "d", s("x".repeat(itemSize))));
    }
    Pages pages = Pages.query(box.db, on(table, "pk = :p", ":p", s("p")));
    assertEquals(range(0, count - 1), column(pages.items(), "sk"));
    int perMegabyte = 1024 * 1024 / itemSize;
    assertTrue(pages.pages.size() >= 3, "25 items of 100 KB take three 1 MB pages, not " + pages.pages.size());
    for (List<Map<String, AttributeValue>> page : pages.pages.subList(0, pages.pages.size() - 1)) {
      assertTrue(page.size() >= perMegabyte - 1 && page.size() <= perMegabyte + 1, "a full page has " + page.size());
    }
  }

  @ConformanceTest
  void filterIsAppliedAfterLimit(Sandbox box) {
    String table = filled(box);
    QueryResult page = box.db.query(on(table, "pk = :p", ":p", s("p"), ":t", Values.bool(true))
        .withFilterExpression("even = :t").withLimit(5));
    assertEquals(List.of("2", "4"), sks(page));
    assertEquals(2, page.getCount());
    assertEquals(5, page.getScannedCount());
    assertEquals(item("pk", s("p"), "sk", n(5)), page.getLastEvaluatedKey(), "the page ends at the last item read");

    Pages all = Pages.query(box.db, on(table, "pk = :p", ":p", s("p"), ":t", Values.bool(true))
        .withFilterExpression("even = :t").withLimit(3));
    assertEquals(List.of("2", "4", "6", "8", "10", "12", "14", "16", "18", "20"), column(all.items(), "sk"));
    assertEquals(ITEMS, all.scannedCount);
  }

  @ConformanceTest
  void projectionAndSelectCount(Sandbox box) {
    String table = filled(box);
    QueryResult projected = box.db.query(on(table, "pk = :p AND sk = :one", ":p", s("p"), ":one", n(1))
        .withProjectionExpression("tag, payload"));
    assertEquals(List.of(item("tag", s("t20"), "payload", s("x"))), projected.getItems());
    QueryResult counted = box.db.query(on(table, "pk = :p AND sk > :ten", ":p", s("p"), ":ten", n(10))
        .withSelect(Select.COUNT));
    assertEquals(10, counted.getCount());
    assertNull(counted.getItems());
    validation(() -> box.db.query(on(table, "pk = :p", ":p", s("p")).withSelect(Select.COUNT)
        .withProjectionExpression("tag")));
    QueryResult withCapacity = box.db.query(on(table, "pk = :p", ":p", s("p")).withProjectionExpression("sk")
        .withReturnConsumedCapacity(com.amazonaws.services.dynamodbv2.model.ReturnConsumedCapacity.TOTAL));
    assertEquals(table, withCapacity.getConsumedCapacity().getTableName(), "the journal's recovery asks for TOTAL");
  }

  @ConformanceTest
  void localIndexOrdersByItsRangeKey(Sandbox box) {
    String table = filled(box);
    QueryResult page = box.db.query(on(table, "pk = :p AND tag >= :t", ":p", s("p"), ":t", s("t18"))
        .withIndexName("by-tag"));
    assertEquals(List.of("t18", "t19", "t20"), column(page.getItems(), "tag"));
    assertEquals(List.of("3", "2", "1"), sks(page));
    Pages pages = Pages.query(box.db, on(table, "pk = :p", ":p", s("p")).withIndexName("by-tag").withLimit(4));
    assertEquals(descending(1, ITEMS), column(pages.items(), "sk"));
  }

  @ConformanceTest
  void globalIndexHoldsOnlyItemsWithItsKeyAndProjectsKeys(Sandbox box) {
    String table = filled(box);
    box.eventually(() -> {
      QueryResult page = box.db.query(on(table, "g = :g", ":g", s("fours")).withIndexName("by-group").withConsistentRead(false));
      assertEquals(List.of(item("pk", s("other"), "sk", n(1), "g", s("fours")), item("pk", s("p"), "sk", n(4), "g", s("fours")),
          item("pk", s("p"), "sk", n(8), "g", s("fours")), item("pk", s("p"), "sk", n(12), "g", s("fours")),
          item("pk", s("p"), "sk", n(16), "g", s("fours")), item("pk", s("p"), "sk", n(20), "g", s("fours"))), page.getItems());
    });
    Pages pages = Pages.query(box.db, on(table, "g = :g AND sk > :one", ":g", s("fours"), ":one", n(1))
        .withIndexName("by-group").withConsistentRead(false).withLimit(2));
    assertEquals(List.of("4", "8", "12", "16", "20"), column(pages.items(), "sk"));
  }

  @ConformanceTest
  void indexKeysMustHaveTheirTypeAndNotBeEmpty(Sandbox box) {
    String table = filled(box);
    validation(() -> box.put(table, item("pk", s("q"), "sk", n(1), "g", n(4))));
    validation(() -> box.put(table, item("pk", s("q"), "sk", n(1), "g", s(""))));
    validation(() -> box.put(table, item("pk", s("q"), "sk", n(1), "tag", Values.bool(true))));
    assertNull(box.get(table, item("pk", s("q"), "sk", n(1))));
  }

  /** A key condition's value may not be empty, as a key's may not (see the departure). */
  @ConformanceTest
  void keyConditionValuesMustNotBeEmpty(Sandbox box) {
    String table = filled(box);
    List<QueryRequest> emptyValues = List.of(
        on(table, "pk = :p", ":p", s("")),
        on(table, "pk = :p AND tag = :t", ":p", s("p"), ":t", s("")).withIndexName("by-tag"),
        on(table, "pk = :p AND begins_with(tag, :t)", ":p", s("p"), ":t", s("")).withIndexName("by-tag"),
        on(table, "g = :g", ":g", s("")).withIndexName("by-group").withConsistentRead(false));
    for (QueryRequest query : emptyValues) {
      box.documented(Departure.EMPTY_KEY_VALUE_IN_A_KEY_CONDITION_ANSWERED,
          () -> assertTrue(validation(() -> box.db.query(query)).contains("cannot contain an empty string value"),
              query::toString),
          () -> box.db.query(query));
    }
  }

  @ConformanceTest
  void includeProjectionReturnsKeysAndTheNamedAttributes(Sandbox box) {
    String table = box.create(new CreateTableRequest()
        .withAttributeDefinitions(new AttributeDefinition("pk", ScalarAttributeType.S), new AttributeDefinition("g", ScalarAttributeType.S))
        .withKeySchema(new KeySchemaElement("pk", KeyType.HASH))
        .withGlobalSecondaryIndexes(new GlobalSecondaryIndex().withIndexName("by-g")
            .withKeySchema(new KeySchemaElement("g", KeyType.HASH))
            .withProjection(new Projection().withProjectionType(ProjectionType.INCLUDE).withNonKeyAttributes("kept"))));
    box.put(table, item("pk", s("a"), "g", s("x"), "kept", n(1), "dropped", n(2)));
    box.eventually(() -> assertEquals(List.of(item("pk", s("a"), "g", s("x"), "kept", n(1))),
        box.db.query(new QueryRequest(table).withIndexName("by-g").withKeyConditionExpression("g = :g")
            .withExpressionAttributeValues(item(":g", s("x")))).getItems()));
  }

  /**
   * API reference, Query, Select: "If any of the requested attributes are not projected into the
   * local secondary index, DynamoDB fetches each of these attributes from the parent table."
   */
  @ConformanceTest
  void localIndexFetchesUnprojectedAttributesFromTheTable(Sandbox box) {
    String table = box.create(new CreateTableRequest()
        .withAttributeDefinitions(new AttributeDefinition("pk", ScalarAttributeType.S),
            new AttributeDefinition("sk", ScalarAttributeType.N), new AttributeDefinition("tag", ScalarAttributeType.S))
        .withKeySchema(new KeySchemaElement("pk", KeyType.HASH), new KeySchemaElement("sk", KeyType.RANGE))
        .withLocalSecondaryIndexes(new LocalSecondaryIndex().withIndexName("by-tag")
            .withKeySchema(new KeySchemaElement("pk", KeyType.HASH), new KeySchemaElement("tag", KeyType.RANGE))
            .withProjection(new Projection().withProjectionType(ProjectionType.KEYS_ONLY))));
    box.put(table, item("pk", s("p"), "sk", n(1), "tag", s("t"), "payload", s("x")));
    QueryRequest unprojected = on(table, "pk = :p", ":p", s("p")).withIndexName("by-tag").withProjectionExpression("payload, tag");
    box.documented(Departure.LOCAL_INDEX_LEAVES_OUT_UNPROJECTED_ATTRIBUTES,
        () -> assertEquals(List.of(item("payload", s("x"), "tag", s("t"))), box.db.query(unprojected).getItems()),
        () -> assertEquals(List.of(item("tag", s("t"))), box.db.query(unprojected).getItems()));
  }

  @ConformanceTest
  void refusesMalformedQueries(Sandbox box) {
    String table = filled(box);
    // "Strongly consistent reads are not supported on global secondary indexes" (Query, ConsistentRead).
    validation(() -> box.db.query(on(table, "g = :g", ":g", s("fours")).withIndexName("by-group")));
    validation(() -> box.db.scan(new com.amazonaws.services.dynamodbv2.model.ScanRequest(table).withIndexName("by-group")
        .withConsistentRead(true)));
    validation(() -> box.db.query(on(table, "sk = :v", ":v", n(1))));
    validation(() -> box.db.query(on(table, "pk = :p AND payload = :v", ":p", s("p"), ":v", s("x"))));
    validation(() -> box.db.query(on(table, "pk = :p OR sk = :v", ":p", s("p"), ":v", n(1))));
    validation(() -> box.db.query(on(table, "pk < :p", ":p", s("p"))));
    validation(() -> box.db.query(on(table, "pk = :p AND sk <> :v", ":p", s("p"), ":v", n(1))));
    validation(() -> box.db.query(on(table, "pk = :p AND sk IN (:v)", ":p", s("p"), ":v", n(1))));
    validation(() -> box.db.query(on(table, "pk = :p AND attribute_exists(sk)", ":p", s("p"))));
    // "You cannot use this function with a sort key that is of type Number" (Query, KeyConditionExpression).
    QueryRequest beginsWithNumber = on(table, "pk = :p AND begins_with(sk, :v)", ":p", s("p"), ":v", n(1));
    box.documented(Departure.BEGINS_WITH_ON_A_NUMBER_SORT_KEY_ACCEPTED,
        () -> validation(() -> box.db.query(beginsWithNumber)),
        () -> box.db.query(beginsWithNumber));
    for (QueryRequest wrongKeyType : List.of(on(table, "pk = :p", ":p", n(1)),
        on(table, "pk = :p AND sk > :v", ":p", s("p"), ":v", s("1")))) {
      box.documented(Departure.WRONG_KEY_TYPE_IN_A_KEY_CONDITION_MATCHES_NOTHING,
          () -> validation(() -> box.db.query(wrongKeyType), wrongKeyType::getKeyConditionExpression),
          () -> assertEquals(List.of(), box.db.query(wrongKeyType).getItems()));
    }
    validation(() -> box.db.query(on(table, "pk = :p", ":p", s("p"), ":v", n(1)).withFilterExpression("sk = :v")));
    validation(() -> box.db.query(on(table, "pk = :p", ":p", s("p")).withIndexName("no-such-index")));
    validation(() -> box.db.query(on(table, "pk = :p", ":p", s("p")).withLimit(0)));
  }
}
