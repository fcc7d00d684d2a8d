package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.almworks.sqlite4java.SQLiteConnection;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.Put;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItem;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsRequest;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.parley.metrics.ParleyMetrics;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDynamoDbTest {
  @TempDir Path dir;

  @Test
  void keepsItsTablesInWriteAheadLogModeWithPagesAJournalItemFitsInAcrossRestarts() throws Exception {
    int port = freePort();
    try (EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(dir, port)) {
      assertEquals(Integer.toString(EmbeddedDynamoDb.PAGE_SIZE), dynamo.setting("page_size"));
      assertEquals("wal", dynamo.setting("journal_mode"));
      AmazonDynamoDB client = DynamoDbClients.local(dynamo.endpoint());
      DynamoDbTables.ensure(client, "journal-test", "snapshots-test", "dedup-test");
      client.putItem("journal-test", Map.of("par", new AttributeValue("p-1"), "num", new AttributeValue().withN("1")));
      assertTrue(Files.exists(dir.resolve(EmbeddedDynamoDb.DATABASE_FILE + "-wal")), "commits go to the write-ahead log");
    }
    // Started again on the same files (as after kill -9): the data is there and writes still work.
    try (EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(dir, port)) {
      AmazonDynamoDB client = DynamoDbClients.local(dynamo.endpoint());
      client.putItem("journal-test", Map.of("par", new AttributeValue("p-1"), "num", new AttributeValue().withN("2")));
      assertEquals(2, client.scan("journal-test", java.util.List.of("num")).getCount());
      assertEquals(Integer.toString(EmbeddedDynamoDb.PAGE_SIZE), dynamo.setting("page_size"), "kept across restarts");
      assertTrue(Files.exists(dir.resolve(EmbeddedDynamoDb.DATABASE_FILE + "-wal")));
    }
  }

  @Test
  void closingReturnsOnlyOnceDynamoDbLocalsConnectionIsClosed() throws Exception {
    // A start right after a close (a test's restart) must not meet the old connection still open.
    try (EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(dir, freePort())) {
      AmazonDynamoDB client = DynamoDbClients.local(dynamo.endpoint());
      DynamoDbTables.ensure(client, "journal-test", "snapshots-test", "dedup-test");
      client.putItem("journal-test", Map.of("par", new AttributeValue("p-1"), "num", new AttributeValue().withN("1")));
    }
    SQLiteConnection alone = new SQLiteConnection(dir.resolve(EmbeddedDynamoDb.DATABASE_FILE).toFile()).open(false);
    try {
      alone.exec("PRAGMA locking_mode=EXCLUSIVE");
      alone.exec("BEGIN EXCLUSIVE"); // SQLITE_BUSY while any other connection has the file open
      alone.exec("COMMIT");
    } finally {
      alone.dispose();
    }
  }

  @Test
  void theWriteAheadLogIsCheckpointedIntoTheDatabaseWhileItRuns() throws Exception {
    ParleyMetrics.installPrometheus(); // so that the checkpoint timer can be read
    try (EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(dir, freePort())) {
      AmazonDynamoDB client = DynamoDbClients.local(dynamo.endpoint());
      DynamoDbTables.ensure(client, "journal-test", "snapshots-test", "dedup-test");
      Path database = dir.resolve(EmbeddedDynamoDb.DATABASE_FILE);
      long before = Files.size(database);
      for (int i = 0; i < 200; i++) {
        client.putItem("journal-test", Map.of("par", new AttributeValue("p-1"), "num", new AttributeValue().withN(Integer.toString(i)),
            "payload", new AttributeValue("x".repeat(1000))));
      }
      // Left to DynamoDB Local, the database file never grows: everything stays in the log.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (Files.size(database) < before + 200 * 1000 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertTrue(Files.size(database) >= before + 200 * 1000,
          "the database file holds the writes: " + Files.size(database) + " bytes");
      // Everything waits behind a checkpoint: operators see how long each took.
      Timer checkpoints = Metrics.globalRegistry.find("parley.dynamodb.checkpoint").timer();
      assertTrue(checkpoints != null && checkpoints.count() > 0 && checkpoints.totalTime(TimeUnit.NANOSECONDS) > 0,
          "checkpoints are timed");
    }
  }

  @Test
  void aLongLogIsStartedOverSoItsFileStaysShort() throws Exception {
    // Checkpointed every 20 ms. Each write puts at least three pages in the log (the item's, its
    // two indexes'), so without a restart 1,000 writes leave a log of 1,000 × 3 pages; with it,
    // what the last 20 ms wrote, a small part of that.
    try (EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(dir, freePort(), Duration.ofMillis(20))) {
      AmazonDynamoDB client = DynamoDbClients.local(dynamo.endpoint());
      DynamoDbTables.ensure(client, "journal-test", "snapshots-test", "dedup-test");
      int items = 1000;
      for (int i = 0; i < items; i++) {
        client.putItem("journal-test", Map.of("par", new AttributeValue("p-1"), "num", new AttributeValue().withN(Integer.toString(i)),
            "payload", new AttributeValue("x".repeat(1000))));
      }
      long log = Files.size(dir.resolve(EmbeddedDynamoDb.DATABASE_FILE + "-wal"));
      long unrestarted = items * 3L * EmbeddedDynamoDb.PAGE_SIZE;
      assertTrue(log < unrestarted / 20, "the log was started over: " + log + " bytes, not " + unrestarted);
      assertEquals(items, client.scan("journal-test", java.util.List.of("num")).getCount());
    }
  }

  @Test
  void aTransactionCommitsWholeWhileTheLogIsCheckpointed() throws Exception {
    // Checkpointed every millisecond: a checkpoint run inside an open transaction ended it, and
    // DynamoDB Local then answered the transaction as written with its items gone.
    try (EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(dir, freePort(), Duration.ofMillis(1))) {
      AmazonDynamoDB client = DynamoDbClients.local(dynamo.endpoint());
      DynamoDbTables.ensureKeyed(client, "rows-test", "c", "u");
      int transactions = 40;
      for (int t = 0; t < transactions; t++) {
        List<TransactWriteItem> puts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          puts.add(new TransactWriteItem().withPut(new Put().withTableName("rows-test").withItem(
              Map.of("c", new AttributeValue("g-" + t), "u", new AttributeValue("user-" + i)))));
        }
        client.transactWriteItems(new TransactWriteItemsRequest().withTransactItems(puts));
      }
      assertEquals(transactions * 100, client.scan("rows-test", List.of("u")).getCount());
    }
  }

  @Test
  void dynamoDbLocalsOwnConnectionKeepsItsScratchInMemory() throws Exception {
    try (EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(dir, freePort())) {
      assertEquals("wal", dynamo.setting("journal_mode"));
      assertEquals("2", dynamo.setting("temp_store"), "statement journals in memory, not temporary files");
      assertEquals("-16384", dynamo.setting("cache_size"));
      assertEquals("2", dynamo.setting("synchronous"), "every commit synced (FULL)");
    }
  }

  @Test
  void aGlobalSecondaryIndexGetsAnSqliteIndexAndStillAnswersItsQueries() throws Exception {
    int port = freePort();
    try (EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(dir, port)) {
      AmazonDynamoDB client = DynamoDbClients.local(dynamo.endpoint());
      DynamoDbTables.ensureKeyedBothWays(client, "members-test", "c", "u", "by-user");
      DynamoDbTables.ensureKeyed(client, "plain-test", "u", "c");
      for (String group : List.of("g-2", "g-1", "g-3")) {
        client.putItem("members-test", Map.of("c", new AttributeValue(group), "u", new AttributeValue("alice")));
        client.putItem("members-test", Map.of("c", new AttributeValue(group), "u", new AttributeValue("bob-" + group)));
      }
      assertFalse(dynamo.sqliteIndexesOf("members-test").contains("members-test*GSI*by-user"));

      dynamo.indexGlobalSecondaryIndexes();

      assertTrue(dynamo.sqliteIndexesOf("members-test").contains("members-test*GSI*by-user"),
          "indexes: " + dynamo.sqliteIndexesOf("members-test"));
      assertTrue(dynamo.sqliteIndexesOf("plain-test").stream().noneMatch(name -> name.contains("*GSI*")),
          "a table without a global secondary index gets none");
      assertEquals(List.of("g-1", "g-2", "g-3"), groupsOf(client, "alice"));
      assertEquals(List.of("g-2"), groupsOf(client, "bob-g-2"));
    }
    // Started again (the node's every start): the index is there already and is kept.
    try (EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(dir, port)) {
      dynamo.indexGlobalSecondaryIndexes();
      assertTrue(dynamo.sqliteIndexesOf("members-test").contains("members-test*GSI*by-user"));
      assertEquals(List.of("g-1", "g-2", "g-3"), groupsOf(DynamoDbClients.local(dynamo.endpoint()), "alice"));
    }
  }

  private static List<String> groupsOf(AmazonDynamoDB client, String user) {
    return client.query(new QueryRequest("members-test").withIndexName("by-user")
            .withKeyConditionExpression("u = :u")
            .withExpressionAttributeValues(Map.of(":u", new AttributeValue(user))))
        .getItems().stream().map(item -> item.get("c").getS()).toList();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
