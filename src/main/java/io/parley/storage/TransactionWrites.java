package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.CancellationReason;
import com.amazonaws.services.dynamodbv2.model.Delete;
import com.amazonaws.services.dynamodbv2.model.Put;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItem;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsRequest;
import com.amazonaws.services.dynamodbv2.model.TransactionCanceledException;
import com.amazonaws.services.dynamodbv2.model.TransactionInProgressException;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.List;
import java.util.Set;

/**
 * Writes to one of Parley's own tables in TransactWriteItems of 100, sending a transaction again
 * that DynamoDB cancelled for a conflict or throttling, backing off, a bounded number of times.
 * For rows of under 40 KB (100 of them fit the 4 MB a transaction may carry), each key once.
 * Blocking: run it on the blocking pool.
 */
final class TransactionWrites {
  static final int MAX_WRITE_ITEMS = 100; // TransactWriteItems' limit
  /** Cancellation reasons that another attempt can get past; any other is the request's own fault. */
  private static final Set<String> PASSING = Set.of("None", "TransactionConflict", "ThrottlingError",
      "ProvisionedThroughputExceeded");

  private TransactionWrites() {}

  static void writeAll(AmazonDynamoDB dynamo, String table, List<WriteRequest> writes) {
    for (int from = 0; from < writes.size(); from += MAX_WRITE_ITEMS) {
      write(dynamo, table, writes.subList(from, Math.min(writes.size(), from + MAX_WRITE_ITEMS)).stream()
          .map(write -> item(table, write))
          .toList());
    }
  }

  /** Writes up to {@link #MAX_WRITE_ITEMS} items of {@code table} in one transaction. */
  static void write(AmazonDynamoDB dynamo, String table, List<TransactWriteItem> items) {
    TransactWriteItemsRequest request = new TransactWriteItemsRequest().withTransactItems(items);
    for (int attempt = 1; ; attempt++) {
      try {
        dynamo.transactWriteItems(request);
        return;
      } catch (TransactionCanceledException cancelled) {
        if (!passing(cancelled)) {
          throw cancelled;
        }
        BatchWrites.backOff(table, attempt);
      } catch (TransactionInProgressException inProgress) {
        BatchWrites.backOff(table, attempt);
      }
    }
  }

  static TransactWriteItem item(String table, WriteRequest write) {
    return write.getPutRequest() != null
        ? new TransactWriteItem().withPut(new Put().withTableName(table).withItem(write.getPutRequest().getItem()))
        : new TransactWriteItem().withDelete(new Delete().withTableName(table).withKey(write.getDeleteRequest().getKey()));
  }

  static boolean passing(TransactionCanceledException cancelled) {
    List<CancellationReason> reasons = cancelled.getCancellationReasons();
    return reasons != null && reasons.stream().allMatch(reason -> PASSING.contains(reason.getCode()));
  }
}
