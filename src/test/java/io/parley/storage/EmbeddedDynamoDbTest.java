package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import io.parley.store.EmbeddedStore;
import io.parley.testing.ParleyProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's embedded DynamoDB: both doors on one store, kept across starts, backed up online. */
class EmbeddedDynamoDbTest {
  @TempDir Path dir;

  private static Map<String, AttributeValue> key(String id) {
    return Map.of("k", new AttributeValue(id));
  }

  @Test
  void bothDoorsSeeOneStoreAndItIsKeptAcrossStarts() throws Exception {
    int port = ParleyProcess.freePort();
    try (EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(dir, port)) {
      AmazonDynamoDB inProcess = InProcessDynamoDb.at(dynamo.endpoint()).orElseThrow();
      AmazonDynamoDB http = DynamoDbClients.local(dynamo.endpoint());
      DynamoDbTables.ensureKeyed(inProcess, "kept-test", "k");
      inProcess.putItem("kept-test", Map.of("k", new AttributeValue("a"), "v", new AttributeValue("in-process")));
      assertEquals("in-process", http.getItem("kept-test", key("a")).getItem().get("v").getS());
      http.putItem("kept-test", Map.of("k", new AttributeValue("b"), "v", new AttributeValue("http")));
      assertEquals("http", inProcess.getItem("kept-test", key("b")).getItem().get("v").getS());
    }
    try (EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(dir, port)) {
      AmazonDynamoDB inProcess = InProcessDynamoDb.at(dynamo.endpoint()).orElseThrow();
      assertEquals("in-process", inProcess.getItem("kept-test", key("a")).getItem().get("v").getS());
      assertEquals("http", inProcess.getItem("kept-test", key("b")).getItem().get("v").getS());
    }
    assertTrue(Files.exists(dir.resolve(EmbeddedStore.DATABASE_FILE)));
  }

  @Test
  void anOnlineBackupOpensAsAStoreWithEverythingInIt() throws Exception {
    Path backup = dir.resolve("backup").resolve(EmbeddedStore.DATABASE_FILE);
    try (EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(dir.resolve("live"), ParleyProcess.freePort())) {
      AmazonDynamoDB inProcess = InProcessDynamoDb.at(dynamo.endpoint()).orElseThrow();
      DynamoDbTables.ensureKeyed(inProcess, "backup-test", "k");
      for (int i = 0; i < 100; i++) {
        inProcess.putItem("backup-test", Map.of("k", new AttributeValue("item-" + i)));
      }
      dynamo.backupTo(backup);
      inProcess.putItem("backup-test", Map.of("k", new AttributeValue("after")));
    }
    try (EmbeddedDynamoDb restored = EmbeddedDynamoDb.start(backup.getParent(), ParleyProcess.freePort())) {
      AmazonDynamoDB inProcess = InProcessDynamoDb.at(restored.endpoint()).orElseThrow();
      assertEquals(100, inProcess.scan(new com.amazonaws.services.dynamodbv2.model.ScanRequest("backup-test"))
          .getCount());
    }
  }

  @Test
  void aDataDirThatDynamoDbLocalWroteIsRefusedBeforeAnythingOpens() throws Exception {
    Files.writeString(dir.resolve(EmbeddedDynamoDb.DYNAMODB_LOCAL_FILE), "SQLite format 3");
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> EmbeddedDynamoDb.start(dir, ParleyProcess.freePort()));
    assertTrue(refused.getMessage().contains(EmbeddedDynamoDb.DYNAMODB_LOCAL_FILE), refused.getMessage());
    assertTrue(refused.getMessage().contains("PARLEY_DATA_DIR"), refused.getMessage());
    assertTrue(!Files.exists(dir.resolve(EmbeddedStore.DATABASE_FILE)), "nothing written beside it");
  }
}
