package io.parley.store.conformance;

import static io.parley.store.conformance.Sandbox.validation;
import static io.parley.store.conformance.Values.column;
import static io.parley.store.conformance.Values.item;
import static io.parley.store.conformance.Values.n;
import static io.parley.store.conformance.Values.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.model.ScalarAttributeType;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.amazonaws.services.dynamodbv2.model.ScanResult;
import com.amazonaws.services.dynamodbv2.model.Select;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Scan: paging that visits every item once, filters after Limit, COUNT, segments and the 1 MB page. */
class ScanConformanceTest {
  private static final int ITEMS = 50;

  private static String filled(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S, "sk", ScalarAttributeType.N);
    for (int i = 0; i < ITEMS; i++) {
      box.put(table, item("pk", s("p" + i % 7), "sk", n(i), "id", s("item" + i), "mod3", n(i % 3)));
    }
    return table;
  }

  private static List<String> allIds() {
    return IntStream.range(0, ITEMS).mapToObj(i -> "item" + i).sorted().toList();
  }

  private static List<String> sorted(List<String> ids) {
    List<String> copy = new ArrayList<>(ids);
    copy.sort(null);
    return copy;
  }

  @ConformanceTest
  void pagingVisitsEveryItemOnce(Sandbox box) {
    String table = filled(box);
    for (int limit : List.of(1, 4, 13, ITEMS, 1000)) {
      Pages pages = Pages.scan(box.db, new ScanRequest(table).withLimit(limit).withConsistentRead(true));
      assertEquals(allIds(), sorted(column(pages.items(), "id")), "limit " + limit);
      assertTrue(pages.pages.stream().allMatch(page -> page.size() <= limit));
    }
  }

  @ConformanceTest
  void filterIsAppliedAfterLimit(Sandbox box) {
    String table = filled(box);
    ScanResult page = box.db.scan(new ScanRequest(table).withLimit(10).withFilterExpression("mod3 = :zero")
        .withExpressionAttributeValues(item(":zero", n(0))));
    assertEquals(10, page.getScannedCount());
    assertTrue(page.getCount() <= 10);
    assertTrue(page.getLastEvaluatedKey() != null);
    Pages pages = Pages.scan(box.db, new ScanRequest(table).withLimit(10).withFilterExpression("mod3 = :zero")
        .withExpressionAttributeValues(item(":zero", n(0))));
    List<String> expected = IntStream.range(0, ITEMS).filter(i -> i % 3 == 0).mapToObj(i -> "item" + i).sorted().toList();
    assertEquals(expected, sorted(column(pages.items(), "id")));
    assertEquals(ITEMS, pages.scannedCount);
  }

  @ConformanceTest
  void selectCountCountsWithoutItems(Sandbox box) {
    String table = filled(box);
    ScanResult counted = box.db.scan(new ScanRequest(table).withSelect(Select.COUNT).withFilterExpression("mod3 = :one")
        .withExpressionAttributeValues(item(":one", n(1))));
    assertEquals((int) IntStream.range(0, ITEMS).filter(i -> i % 3 == 1).count(), counted.getCount());
    assertEquals(ITEMS, counted.getScannedCount());
    assertNull(counted.getItems());
  }

  @ConformanceTest
  void segmentsSplitTheTableWithoutOverlap(Sandbox box) {
    String table = filled(box);
    List<String> ids = new ArrayList<>();
    for (int segment = 0; segment < 4; segment++) {
      ids.addAll(column(Pages.scan(box.db, new ScanRequest(table).withSegment(segment).withTotalSegments(4).withLimit(5))
          .items(), "id"));
    }
    assertEquals(allIds(), sorted(ids));
    validation(() -> box.db.scan(new ScanRequest(table).withSegment(4).withTotalSegments(4)));
    validation(() -> box.db.scan(new ScanRequest(table).withSegment(0)));
  }

  @ConformanceTest
  void aPageStopsAtOneMegabyte(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    for (int i = 0; i < 25; i++) {
      box.put(table, item("pk", s("p" + i), "d", s("x".repeat(100_000))));
    }
    Pages pages = Pages.scan(box.db, new ScanRequest(table));
    assertEquals(25, pages.items().size());
    assertTrue(pages.pages.size() >= 3, "25 items of 100 KB take three 1 MB pages, not " + pages.pages.size());
    assertTrue(pages.pages.get(0).size() >= 9 && pages.pages.get(0).size() <= 11, "a full page has " + pages.pages.get(0).size());
  }

  @ConformanceTest
  void projectionAndRefusals(Sandbox box) {
    String table = filled(box);
    ScanResult projected = box.db.scan(new ScanRequest(table).withProjectionExpression("id").withFilterExpression("sk = :v")
        .withExpressionAttributeValues(item(":v", n(7))));
    assertEquals(List.of(item("id", s("item7"))), projected.getItems());
    validation(() -> box.db.scan(new ScanRequest(table).withLimit(0)));
    validation(() -> box.db.scan(new ScanRequest(table).withFilterExpression("size(id) = :unknown")));
    validation(() -> box.db.scan(new ScanRequest(table).withIndexName("no-such-index")));
    validation(() -> box.db.scan(new ScanRequest(table).withExclusiveStartKey(item("id", s("item1")))));
  }
}
