package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import com.typesafe.config.Config;
import java.util.List;

/**
 * How Parley writes the rows of its own tables (large groups' members, the member index), many at
 * a time. The items are independent either way; what differs is the cost. DynamoDB bills a
 * transactional write two write units, a batched one one. TransactWriteItems carries up to
 * 100 items a request where BatchWriteItem carries 25, so the embedded store, which bills
 * nothing, takes transactions (docs/performance.md).
 */
public enum RowWrites {
  BATCHES {
    @Override
    void writeAll(AmazonDynamoDB dynamo, String table, List<WriteRequest> writes) {
      BatchWrites.writeAll(dynamo, table, writes);
    }
  },
  TRANSACTIONS {
    @Override
    void writeAll(AmazonDynamoDB dynamo, String table, List<WriteRequest> writes) {
      TransactionWrites.writeAll(dynamo, table, writes);
    }
  };

  /** Writes {@code writes} (puts and deletes, each key once) to {@code table}. Blocking. */
  abstract void writeAll(AmazonDynamoDB dynamo, String table, List<WriteRequest> writes);

  /** {@code parley.dynamodb.row-writes}; unset, transactions with the embedded store and batches with DynamoDB. */
  public static RowWrites from(Config config) {
    String setting = config.getString("parley.dynamodb.row-writes");
    if (setting.isEmpty()) {
      return config.getBoolean("parley.dynamodb.embedded") ? TRANSACTIONS : BATCHES;
    }
    return switch (setting) {
      case "batches" -> BATCHES;
      case "transactions" -> TRANSACTIONS;
      default -> throw new IllegalArgumentException(
          "PARLEY_DYNAMODB_ROW_WRITES (parley.dynamodb.row-writes) must be batches or transactions, not \""
              + setting + "\"");
    };
  }
}
