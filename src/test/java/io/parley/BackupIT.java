package io.parley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An online backup of a running node's embedded stores through the management port, restored as
 * docs/storage.md says into a fresh data dir: the new node reads the history and the media back.
 */
class BackupIT {
  private static final String ADMIN = "backup-operators-token";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path temp;

  @Test
  void aBackupTakenWhileTheNodeServesRestoresIntoAFreshNode() throws Exception {
    // Embedded stores whatever the IT's DynamoDB (an empty endpoint keeps the node on its own).
    Map<String, String> env = Map.of("PARLEY_MANAGEMENT_READ_ONLY", "false", "PARLEY_MANAGEMENT_ADMIN_TOKEN", ADMIN,
        "PARLEY_DYNAMODB_ENDPOINT", "");
    byte[] picture = "not really a picture, but bytes all the same".getBytes();
    String mediaUrl;
    Path backup;
    try (ParleyProcess node = ParleyProcess.start(temp, env)) {
      ApiClient api = new ApiClient(node);
      String alice = api.token("alice");
      for (int i = 1; i <= 5; i++) {
        assertEquals(200, api.post(alice, "/v1/messages", "{\"conversation_id\":\"d:alice:bob\",\"client_msg_id\":\"m"
            + i + "\",\"content\":\"before the backup " + i + "\"}").status());
      }
      HttpResponse<String> uploaded = HTTP.send(HttpRequest.newBuilder(node.http("/v1/media"))
          .header("Authorization", "Bearer " + alice).header("Content-Type", "image/png")
          .POST(HttpRequest.BodyPublishers.ofByteArray(picture)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, uploaded.statusCode(), uploaded.body());
      mediaUrl = ApiClient.JSON.readTree(uploaded.body()).get("media_url").asText();

      assertEquals(401, backup(node, null).statusCode(), "a write route: the admin token is required");
      HttpResponse<String> taken = backup(node, ADMIN);
      assertEquals(200, taken.statusCode(), taken.body());
      backup = Path.of(ApiClient.JSON.readTree(taken.body()).get("backup").asText());
      assertTrue(backup.startsWith(node.dataDir), backup.toString());

      // The node kept serving: a message after the backup is stored, and is not in the copy.
      assertEquals(200, api.post(alice, "/v1/messages",
          "{\"conversation_id\":\"d:alice:bob\",\"client_msg_id\":\"late\",\"content\":\"after the backup\"}").status());
    }

    // Restore: the backup's dynamodb/ and s3/ in an empty data dir.
    Path restored = Files.createDirectory(temp.resolve("restored"));
    copyTree(backup, restored);
    Map<String, String> restoredEnv = Map.of("PARLEY_DATA_DIR", restored.toString(), "PARLEY_DYNAMODB_ENDPOINT", "");
    try (ParleyProcess node = ParleyProcess.start(temp, restoredEnv)) {
      ApiClient api = new ApiClient(node);
      JsonNode history = api.get(api.token("bob"), "/v1/conversations/d:alice:bob/messages").body();
      assertEquals(5, history.get("messages").size(), history.toString());
      for (int i = 1; i <= 5; i++) {
        assertEquals("before the backup " + i, history.get("messages").get(i - 1).get("content").asText());
      }
      assertFalse(history.toString().contains("after the backup"));
      HttpResponse<byte[]> media = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort
          + mediaUrl)).header("Authorization", "Bearer " + api.token("alice")).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, media.statusCode());
      assertArrayEquals(picture, media.body());
    }
  }

  private static HttpResponse<String> backup(ParleyProcess node, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort
        + "/admin/backup")).timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path copy = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(copy);
        } else {
          Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
