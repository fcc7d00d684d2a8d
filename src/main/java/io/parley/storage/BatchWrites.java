package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.List;
import java.util.Map;

/**
 * Writes to one of Parley's own tables in BatchWriteItems of 25, sending again what DynamoDB
 * left unprocessed (throttling), backing off, a bounded number of times. Blocking: run it on the
 * blocking pool.
 */
final class BatchWrites {
  static final int MAX_WRITE_ITEMS = 25; // BatchWriteItem's limit
  static final int MAX_ATTEMPTS = 8;

  private BatchWrites() {}

  static void writeAll(AmazonDynamoDB dynamo, String table, List<WriteRequest> writes) {
    for (int from = 0; from < writes.size(); from += MAX_WRITE_ITEMS) {
      Map<String, List<WriteRequest>> pending =
          Map.of(table, writes.subList(from, Math.min(writes.size(), from + MAX_WRITE_ITEMS)));
      for (int attempt = 1; !pending.isEmpty(); attempt++) {
        Map<String, List<WriteRequest>> unprocessed = dynamo.batchWriteItem(new BatchWriteItemRequest(pending))
            .getUnprocessedItems();
        pending = unprocessed == null ? Map.of() : unprocessed;
        if (!pending.isEmpty()) {
          backOff(table, attempt);
        }
      }
    }
  }

  static void backOff(String table, int attempt) {
    if (attempt >= MAX_ATTEMPTS) {
      throw new IllegalStateException(table + " kept refusing a batch; gave up after " + attempt + " attempts");
    }
    try {
      Thread.sleep(Math.min(1_000, 20L << attempt)); // DynamoDB's advice for unprocessed items
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
