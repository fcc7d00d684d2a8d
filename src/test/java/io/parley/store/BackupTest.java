package io.parley.store;

import static io.parley.store.StoreFixture.item;
import static io.parley.store.StoreFixture.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An online backup, taken while writes go on, restores into a working store. */
class BackupTest {
  @TempDir Path dir;
  @TempDir Path elsewhere;

  @Test
  void backupWhileWritingThenRestore() throws Exception {
    Path backup = elsewhere.resolve("backup.sqlite");
    int acknowledgedBeforeBackup;
    try (EmbeddedStore store = EmbeddedStore.open(dir)) {
      AmazonDynamoDB dynamo = store.inProcessClient();
      dynamo.createTable(table("tbl", "k", null));
      for (int i = 0; i < 100; i++) {
        dynamo.putItem("tbl", item("k", "before-" + i));
      }
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicInteger acknowledged = new AtomicInteger();
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        for (int i = 0; writing.get(); i++) {
          dynamo.putItem("tbl", item("k", "during-" + i));
          acknowledged.incrementAndGet();
        }
      });
      while (acknowledged.get() < 50) {
        Thread.onSpinWait();
      }
      acknowledgedBeforeBackup = acknowledged.get();
      store.backupTo(backup);
      writing.set(false);
      writer.get();
    }
    Path restored = elsewhere.resolve("restored");
    Files.createDirectories(restored);
    Files.copy(backup, restored.resolve(EmbeddedStore.DATABASE_FILE));
    try (EmbeddedStore store = EmbeddedStore.open(restored)) {
      AmazonDynamoDB dynamo = store.inProcessClient();
      for (int i = 0; i < 100; i++) {
        assertNotNull(dynamo.getItem("tbl", item("k", "before-" + i)).getItem(), "before-" + i);
      }
      for (int i = 0; i < acknowledgedBeforeBackup; i++) {
        assertNotNull(dynamo.getItem("tbl", item("k", "during-" + i)).getItem(), "during-" + i);
      }
      dynamo.putItem("tbl", item("k", "after-restore"));
      assertEquals(item("k", "after-restore"), dynamo.getItem("tbl", item("k", "after-restore")).getItem());
    }
  }

  /**
   * A backup that fails part way (here its rollback journal cannot be made; a full disk does the
   * same) leaves no file behind: a partial copy looked like a backup, and held disk the store needs.
   */
  @Test
  void aBackupThatFailsLeavesNoFile() throws Exception {
    Path backup = elsewhere.resolve("backup.sqlite");
    Files.createDirectories(elsewhere.resolve("backup.sqlite-journal"));
    try (EmbeddedStore store = EmbeddedStore.open(dir)) {
      AmazonDynamoDB dynamo = store.inProcessClient();
      dynamo.createTable(table("tbl", "k", null));
      for (int i = 0; i < 100; i++) {
        dynamo.putItem("tbl", item("k", "before-" + i));
      }
      RuntimeException failed = assertThrows(RuntimeException.class, () -> store.backupTo(backup));
      assertFalse(Files.exists(backup), "no partial copy");
      assertTrue(failed.getMessage().contains("backup"), failed.getMessage());
      dynamo.putItem("tbl", item("k", "after"));
      assertNotNull(dynamo.getItem("tbl", item("k", "after")).getItem(), "the store goes on");
    }
  }
}
