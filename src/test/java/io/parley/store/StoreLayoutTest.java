package io.parley.store;

import static io.parley.store.StoreFixture.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.GlobalSecondaryIndex;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.Projection;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.amazonaws.services.dynamodbv2.model.TimeToLiveSpecification;
import com.amazonaws.services.dynamodbv2.model.UpdateTimeToLiveRequest;
import io.parley.store.engine.StoreEngine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layout of the store's rows on disk: items in a rowid table (a row up to a page long stays on
 * its page), a data dir in the earlier layout (items in a WITHOUT ROWID b-tree) rewritten when it
 * is opened with nothing lost, and a layout newer than this build's refused.
 */
class StoreLayoutTest {
  @TempDir Path dir;

  private Path file() {
    return dir.resolve(StoreEngine.DATABASE_FILE);
  }

  private static final Random RANDOM = new Random(7);

  /** A journal-like table: hash and range key, a GSI, TTL on {@code exp}. */
  private static void createJournal(AmazonDynamoDB dynamo) {
    dynamo.createTable(new CreateTableRequest().withTableName("journal")
        .withKeySchema(new KeySchemaElement("par", "HASH"), new KeySchemaElement("num", "RANGE"))
        .withAttributeDefinitions(new AttributeDefinition("par", "S"), new AttributeDefinition("num", "N"),
            new AttributeDefinition("g", "S"))
        .withGlobalSecondaryIndexes(new GlobalSecondaryIndex().withIndexName("by-g")
            .withKeySchema(new KeySchemaElement("g", "HASH"), new KeySchemaElement("num", "RANGE"))
            .withProjection(new Projection().withProjectionType("ALL"))));
    dynamo.updateTimeToLive(new UpdateTimeToLiveRequest().withTableName("journal")
        .withTimeToLiveSpecification(new TimeToLiveSpecification().withAttributeName("exp").withEnabled(true)));
  }

  /** Items of 10 bytes to 20 KB (incompressible payloads: they stay as long as written). */
  private static List<Map<String, AttributeValue>> items() {
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    int[] sizes = {10, 300, 1_500, 2_500, 5_000, 7_900, 9_000, 20_000};
    for (int i = 0; i < 40; i++) {
      byte[] payload = new byte[sizes[i % sizes.length]];
      RANDOM.nextBytes(payload);
      Map<String, AttributeValue> item = item("par", "p" + (i % 3), "num", i, "g", "g" + (i % 2),
          "payload", new AttributeValue().withB(java.nio.ByteBuffer.wrap(payload)));
      if (i % 5 == 0) {
        item.put("exp", new AttributeValue().withN(Long.toString(System.currentTimeMillis() / 1000 + 3600)));
      }
      items.add(item);
    }
    return items;
  }

  private static List<Map<String, AttributeValue>> everything(AmazonDynamoDB dynamo) {
    List<Map<String, AttributeValue>> all = new ArrayList<>();
    for (String par : new String[] {"p0", "p1", "p2"}) {
      all.addAll(dynamo.query(new QueryRequest("journal").withKeyConditionExpression("par = :p")
          .withExpressionAttributeValues(item(":p", par)).withScanIndexForward(false)).getItems());
    }
    all.addAll(dynamo.query(new QueryRequest("journal").withIndexName("by-g").withKeyConditionExpression("g = :g AND num > :n")
        .withExpressionAttributeValues(item(":g", "g1", ":n", 4))).getItems());
    all.addAll(dynamo.scan(new ScanRequest("journal")).getItems());
    return all;
  }

  private static String itemsTable(Connection connection) throws Exception {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT sql FROM sqlite_master WHERE name = 'items'")) {
      return row.next() ? row.getString(1) : null;
    }
  }

  private static int layout(Connection connection) throws Exception {
    return intValue(connection, "PRAGMA user_version");
  }

  private static int intValue(Connection connection, String query) throws Exception {
    try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(query)) {
      row.next();
      return row.getInt(1);
    }
  }

  /**
   * Items of 3,000 incompressible bytes: the earlier layout kept ~1 KB of each in the b-tree and
   * the rest on an overflow page of its own (8 KB, mostly empty); now each row sits whole on a page.
   */
  @Test
  void aRowUpToAPageLongStaysOnItsPage() throws Exception {
    try (EmbeddedStore store = EmbeddedStore.open(dir)) {
      createJournal(store.inProcessClient());
    }
    long empty = java.nio.file.Files.size(file());
    int count = 40;
    try (EmbeddedStore store = EmbeddedStore.open(dir)) {
      for (int i = 0; i < count; i++) {
        byte[] payload = new byte[3_000];
        RANDOM.nextBytes(payload);
        store.inProcessClient().putItem("journal", item("par", "p" + (i % 3), "num", i,
            "payload", new AttributeValue().withB(java.nio.ByteBuffer.wrap(payload))));
      }
    }
    long grown = java.nio.file.Files.size(file()) - empty;
    assertTrue(grown <= (count + 4) * 4096L, grown + " bytes for " + count + " rows of ~3 KB");
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file())) {
      assertFalse(itemsTable(connection).toUpperCase().contains("WITHOUT ROWID"), itemsTable(connection));
      assertEquals(1, layout(connection));
    }
  }

  /**
   * A store written before the rowid layout: its items table rebuilt by hand as that layout had it
   * (the same rows, a WITHOUT ROWID b-tree, user_version 0), then opened by this build.
   */
  @Test
  void aDataDirInTheEarlierLayoutIsRewrittenWithNothingLost() throws Exception {
    List<Map<String, AttributeValue>> before;
    try (EmbeddedStore store = EmbeddedStore.open(dir)) {
      AmazonDynamoDB dynamo = store.inProcessClient();
      createJournal(dynamo);
      for (Map<String, AttributeValue> item : items()) {
        dynamo.putItem("journal", item);
      }
      before = everything(dynamo);
    }
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file());
        Statement statement = connection.createStatement()) {
      statement.execute("DROP INDEX items_key");
      statement.execute("DROP INDEX items_expiry");
      statement.execute("ALTER TABLE items RENAME TO items_new");
      statement.execute("CREATE TABLE items(t INTEGER NOT NULL, h BLOB NOT NULL, r BLOB NOT NULL,"
          + " item BLOB NOT NULL, expires INTEGER, PRIMARY KEY(t, h, r)) WITHOUT ROWID");
      statement.execute("CREATE INDEX items_expiry ON items(expires) WHERE expires IS NOT NULL");
      statement.execute("INSERT INTO items SELECT t, h, r, item, expires FROM items_new");
      statement.execute("DROP TABLE items_new");
      statement.execute("PRAGMA user_version=0");
      // That layout's files had 8 KB pages.
      statement.execute("PRAGMA journal_mode=DELETE");
      statement.execute("PRAGMA page_size=8192");
      statement.execute("VACUUM");
      statement.execute("PRAGMA journal_mode=WAL");
      assertTrue(itemsTable(connection).contains("WITHOUT ROWID"));
      assertEquals(8192, intValue(connection, "PRAGMA page_size"));
    }
    long earlierLayout = java.nio.file.Files.size(file());
    try (EmbeddedStore store = EmbeddedStore.open(dir, Duration.ofMillis(100))) {
      AmazonDynamoDB dynamo = store.inProcessClient();
      assertEquals(before, everything(dynamo));
      // Writes, replacements, deletions and the TTL sweep work on the rewritten rows.
      dynamo.putItem("journal", item("par", "p0", "num", 100, "g", "g1", "note", "after"));
      dynamo.putItem("journal", item("par", "p0", "num", 0, "g", "g0", "note", "replaced"));
      dynamo.deleteItem("journal", item("par", "p1", "num", 1));
      dynamo.putItem("journal", item("par", "p2", "num", 200, "exp", System.currentTimeMillis() / 1000 - 5));
      assertEquals("replaced", dynamo.getItem("journal", item("par", "p0", "num", 0)).getItem().get("note").getS());
      assertNull(dynamo.getItem("journal", item("par", "p1", "num", 1)).getItem());
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (dynamo.getItem("journal", item("par", "p2", "num", 200)).getItem() != null && System.nanoTime() < deadline) {
        Thread.sleep(20); // polling for the sweeper, bounded by the deadline
      }
      assertNull(dynamo.getItem("journal", item("par", "p2", "num", 200)).getItem());
      assertEquals(before.size() + 1, everything(dynamo).size(), "p0/100 added (query, GSI, scan), p1/1 deleted (query, scan)");
    }
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file())) {
      assertFalse(itemsTable(connection).contains("WITHOUT ROWID"));
      assertEquals(1, layout(connection));
      assertEquals(4096, intValue(connection, "PRAGMA page_size"), "compacted into new files' pages");
      assertEquals(0, intValue(connection, "PRAGMA freelist_count"));
    }
    long rewritten = java.nio.file.Files.size(file());
    assertTrue(rewritten < earlierLayout, rewritten + " bytes now, " + earlierLayout + " in the earlier layout");
  }

  @Test
  void aNewerLayoutIsRefusedAndTheDataDirLeftAsItWas() throws Exception {
    try (EmbeddedStore store = EmbeddedStore.open(dir)) {
      createJournal(store.inProcessClient());
    }
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file());
        Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA user_version=2");
    }
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> EmbeddedStore.open(dir));
    assertTrue(refused.getMessage().contains("written by a newer Parley (layout 2; this build reads up to 1)"),
        refused.getMessage());
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file())) {
      assertEquals(2, layout(connection));
    }
    // The refusal let go of the directory: once the layout is one this build reads, it opens here.
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file());
        Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA user_version=1");
    }
    try (EmbeddedStore store = EmbeddedStore.open(dir)) {
      assertEquals(List.of("journal"), store.inProcessClient().listTables().getTableNames());
    }
  }
}
