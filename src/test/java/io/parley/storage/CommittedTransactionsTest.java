package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.almworks.sqlite4java.SQLiteConnection;
import com.almworks.sqlite4java.SQLiteJob;
import com.almworks.sqlite4java.SQLiteQueue;
import com.almworks.sqlite4java.SQLiteStatement;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.local.shared.access.LocalDBAccess;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.Put;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItem;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsRequest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommittedTransactionsTest {
  /** How long DynamoDB Local's SQLite thread is kept busy ahead of a COMMIT. */
  private static final long BUSY_MILLIS = 500;

  @TempDir Path dir;

  @Test
  void aTransactionIsAnsweredOnlyOnceSqliteHasCommittedIt() throws Exception {
    try (EmbeddedDynamoDb dynamo = LocalDynamoDb.onFreePort(dir)) {
      DynamoDbTables.ensureKeyed(DynamoDbClients.local(dynamo.endpoint()), "rows-test", "c", "u");
      SQLiteQueue database = dynamo.queue();
      AmazonDynamoDB client = EmbeddedDynamoDb.mappingExceptions(EmbeddedDynamoDb.over(dynamo.local(),
          access -> CommittedTransactions.over(busyBeforeCommits(access, database), database)));

      client.transactWriteItems(new TransactWriteItemsRequest().withTransactItems(new TransactWriteItem().withPut(
          new Put().withTableName("rows-test").withItem(Map.of("c", new AttributeValue("g-1"), "u", new AttributeValue("ann"))))));

      // Another connection sees only what is committed, as a restart after kill -9 would.
      assertEquals(1, committedRows(dir.resolve(EmbeddedDynamoDb.DATABASE_FILE), "rows-test"));
    }
  }

  /** {@code access} whose SQLite thread has a slow job ahead of each COMMIT, as under load. */
  private static LocalDBAccess busyBeforeCommits(LocalDBAccess access, SQLiteQueue database) {
    return InProcessDynamoDb.proxy(LocalDBAccess.class, (proxy, method, args) -> {
      if (method.getName().equals("commitTransaction")) {
        database.execute(new SQLiteJob<Void>() {
          @Override
          protected Void job(SQLiteConnection connection) throws Exception {
            Thread.sleep(BUSY_MILLIS); // the work queued ahead of the COMMIT, not a wait for a condition
            return null;
          }
        });
      }
      return InProcessDynamoDb.call(access, method, args);
    });
  }

  private static long committedRows(Path database, String table) throws Exception {
    SQLiteConnection reader = new SQLiteConnection(database.toFile()).open(false);
    try {
      SQLiteStatement count = reader.prepare("SELECT count(*) FROM \"" + table + "\"");
      count.step();
      return count.columnLong(0);
    } finally {
      reader.dispose();
    }
  }
}
