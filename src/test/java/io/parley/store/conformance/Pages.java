package io.parley.store.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.QueryResult;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.amazonaws.services.dynamodbv2.model.ScanResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Follows LastEvaluatedKey to the end of a Query or Scan, keeping each page. */
final class Pages {
  private static final int MAX_PAGES = 10_000;
  final List<List<Map<String, AttributeValue>>> pages = new ArrayList<>();
  int scannedCount;
  int count;

  static Pages query(AmazonDynamoDB db, QueryRequest request) {
    Pages pages = new Pages();
    Map<String, AttributeValue> start = null;
    do {
      QueryResult page = db.query(request.clone().withExclusiveStartKey(start));
      pages.add(page.getItems(), page.getCount(), page.getScannedCount());
      start = page.getLastEvaluatedKey();
    } while (start != null && !start.isEmpty());
    return pages;
  }

  static Pages scan(AmazonDynamoDB db, ScanRequest request) {
    Pages pages = new Pages();
    Map<String, AttributeValue> start = null;
    do {
      ScanResult page = db.scan(request.clone().withExclusiveStartKey(start));
      pages.add(page.getItems(), page.getCount(), page.getScannedCount());
      start = page.getLastEvaluatedKey();
    } while (start != null && !start.isEmpty());
    return pages;
  }

  /** Items are null under Select COUNT: a page of none, counted. */
  private void add(List<Map<String, AttributeValue>> items, Integer counted, Integer scanned) {
    pages.add(items == null ? List.of() : items);
    count += counted == null ? 0 : counted;
    scannedCount += scanned == null ? 0 : scanned;
    assertTrue(pages.size() < MAX_PAGES, "paging does not end");
  }

  List<Map<String, AttributeValue>> items() {
    return pages.stream().flatMap(List::stream).toList();
  }
}
