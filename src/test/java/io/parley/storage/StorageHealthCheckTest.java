package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.InternalServerErrorException;
import io.parley.store.EmbeddedStore;
import io.parley.testing.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /ready: not while the embedded store cannot commit, and again once it commits. */
class StorageHealthCheckTest {
  static final String TABLE = "journal-ready";
  static final Duration HOLDS = Duration.ofSeconds(3);
  /** How long a write waits for the lock another connection holds: short, as the test waits it out. */
  static final Duration BUSY_TIMEOUT = Duration.ofMillis(200);

  @TempDir Path dir;
  LocalDynamoDb local;
  AmazonDynamoDB inProcess;
  StorageHealthCheck check;

  @BeforeEach
  void start() throws Exception {
    local = LocalDynamoDb.start(dir, TABLE, BUSY_TIMEOUT);
    inProcess = InProcessDynamoDb.at(local.dynamo.endpoint()).orElseThrow();
    check = new StorageHealthCheck(local.sync, TABLE, local.dynamo.endpoint(), Runnable::run, HOLDS);
  }

  @AfterEach
  void stop() throws Exception {
    local.close();
  }

  /**
   * Another connection holding the database's write lock stands in for a full disk: the writer's
   * transaction fails with SQLITE_BUSY after its busy timeout, one of the failures after which
   * SQLite may have ended the transaction, as SQLITE_FULL is, so the store refuses the group.
   */
  @Test
  void aNodeWhoseStoreCouldNotCommitIsNotReadyForAWhile() throws Exception {
    assertTrue(ready(), "ready while writes commit");
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(EmbeddedStore.DATABASE_FILE))) {
      try (Statement lock = other.createStatement()) {
        lock.execute("BEGIN IMMEDIATE");
      }
      assertThrows(InternalServerErrorException.class, () -> inProcess.putItem(TABLE, event(1)));
      long failedAt = System.nanoTime();
      ExecutionException notReady = assertThrows(ExecutionException.class, this::ready);
      assertTrue(notReady.getCause().getMessage().contains("could not commit"), notReady.getCause().getMessage());
      try (Statement unlock = other.createStatement()) {
        unlock.execute("ROLLBACK");
      }
      inProcess.putItem(TABLE, event(2));
      // On a nearly full disk small writes commit between refused ones: one commit does not make it ready.
      if (System.nanoTime() - failedAt < HOLDS.toNanos() / 2) {
        assertThrows(ExecutionException.class, this::ready, "not ready right after a commit");
      }
    }
    Poll.until(HOLDS.multipliedBy(10), this::readyNow); // polling, as a probe would
    assertEquals(1, inProcess.scan(new com.amazonaws.services.dynamodbv2.model.ScanRequest(TABLE)).getCount(),
        "the refused write was not stored");
  }

  @Test
  void aNodeWhoseJournalTableIsGoneIsNotReady() throws Exception {
    assertTrue(ready());
    inProcess.deleteTable(TABLE);
    assertEquals(false, ready());
  }

  private boolean readyNow() {
    try {
      return ready();
    } catch (Exception notYet) {
      return false;
    }
  }

  private boolean ready() throws Exception {
    return check.get().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Map<String, AttributeValue> event(int number) {
    return Map.of("par", new AttributeValue("p-1"), "num", new AttributeValue().withN(Integer.toString(number)));
  }
}
