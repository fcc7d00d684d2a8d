package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal table's sequence-number shards ({@link JournalLayout}) against the embedded store: a
 * table created now or found empty gets one, a table that already held data keeps the plugin's
 * ten, and what the first node recorded is what every later node and start uses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JournalLayoutIT {
  LocalDynamoDb local;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    local = LocalDynamoDb.start(dir, "layout-existing");
  }

  @AfterAll
  void stop() throws Exception {
    local.close();
  }

  @Test
  void aTableCreatedNowGetsOneShardAndEveryLaterNodeUsesIt() throws Exception {
    assertTrue(DynamoDbTables.ensure(local.sync, "layout-new", "layout-new-snapshots", "layout-new-dedup"));
    assertEquals(1, JournalLayout.sequenceShards(local.sync, "layout-new", true));
    assertFalse(DynamoDbTables.ensure(local.sync, "layout-new", "layout-new-snapshots", "layout-new-dedup"),
        "another node finds the table");
    assertEquals(1, JournalLayout.sequenceShards(local.sync, "layout-new", false));
  }

  @Test
  void anEmptyTableCreatedElsewhereGetsOneShard() throws Exception {
    // As an operator's tooling creates it (PARLEY_DYNAMODB_CREATE_TABLES=off): not by this node.
    DynamoDbTables.ensure(local.sync, "layout-elsewhere", "layout-elsewhere-snapshots", "layout-elsewhere-dedup");
    assertEquals(1, JournalLayout.sequenceShards(local.sync, "layout-elsewhere", false));
    assertEquals(1, JournalLayout.sequenceShards(local.sync, "layout-elsewhere", false), "as recorded");
  }

  @Test
  void aTableThatExistedWithoutALayoutKeepsTheTenItsDataWasWrittenWith() {
    local.sync.putItem("layout-existing", Map.of(
        "par", new AttributeValue("journal-SH-user-1-1"), "num", new AttributeValue().withN("0"),
        "seq", new AttributeValue().withN("100")));
    assertEquals(10, JournalLayout.sequenceShards(local.sync, "layout-existing", false));
    assertEquals(10, JournalLayout.sequenceShards(local.sync, "layout-existing", true),
        "recorded once: not even a node that believes it created the table changes it");
  }
}
