package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.storage.EmbeddedObjectStore;
import io.parley.testing.ApiClient;
import io.parley.testing.Dynoxide;
import io.parley.testing.ParleyProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pointing Parley at external stores is configuration only: with DynamoDB and S3 endpoints set
 * (here dynoxide and s3proxy run by the test, standing in for AWS), the node starts nothing
 * embedded, creates its tables there, and chats.
 */
class ExternalStoresIT {
  @TempDir Path temp;

  @Test
  void aNodeConfiguredForExternalStoresUsesThemAndEmbedsNothing() throws Exception {
    int s3Port = ParleyProcess.freePort();
    try (Dynoxide dynamo = Dynoxide.start();
        EmbeddedObjectStore s3 = EmbeddedObjectStore.start(
            temp.resolve("external-s3"), s3Port, "chat-media", "externalkey", "externalsecret");
        ParleyProcess node = ParleyProcess.start(temp, Map.of(
            "PARLEY_DYNAMODB_EMBEDDED", "off",
            "PARLEY_DYNAMODB_ENDPOINT", dynamo.endpoint(),
            "PARLEY_DYNAMODB_JOURNAL_TABLE", "ext-journal",
            "PARLEY_DYNAMODB_SNAPSHOT_TABLE", "ext-snapshots",
            "PARLEY_S3_EMBEDDED", "off",
            "PARLEY_S3_ENDPOINT", s3.endpoint(),
            "PARLEY_S3_BUCKET", "chat-media",
            "PARLEY_AWS_ACCESS_KEY_ID", "externalkey",
            "PARLEY_AWS_SECRET_ACCESS_KEY", "externalsecret",
            "PARLEY_LOG_FORMAT", "JSON"))) {
      ApiClient api = new ApiClient(node);
      ApiClient.Response sent = api.post(api.token("alice"), "/v1/messages",
          "{\"conversation_id\":\"d:alice:bob\",\"client_msg_id\":\"x1\",\"content\":\"stored outside\"}");
      assertEquals(200, sent.status());
      ApiClient.Response history = api.get(api.token("bob"), "/v1/conversations/d:alice:bob/messages");
      assertEquals("stored outside", history.body().get("messages").get(0).get("content").asText());
      assertFalse(Files.exists(node.dataDir.resolve("dynamodb")), "no embedded DynamoDB started");
      assertFalse(Files.exists(node.dataDir.resolve("s3")), "no embedded S3 started");
      // Logs are JSON lines when asked to be, and never carry message content.
      for (String line : Files.readAllLines(node.logFile())) {
        if (!line.startsWith("Parley is ready")) {
          assertTrue(ApiClient.JSON.readTree(line).isObject(), "not a JSON line: " + line);
        }
        assertFalse(line.contains("stored outside"), "message content in the log: " + line);
      }
      assertEquals(200, node.managementStatus("/ready"));

      // Storage goes away: the node says it is not ready, so a load balancer stops sending it
      // clients it could not serve.
      dynamo.close();
      awaitNotReady(node);
    }
  }

  private static void awaitNotReady(ParleyProcess node) throws Exception {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    while (node.managementStatus("/ready") == 200) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("/ready still 200 with DynamoDB down");
      }
      Thread.sleep(200); // readiness is polled, as a probe would
    }
  }
}
