package io.parley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.storage.EmbeddedObjectStore;
import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.Poll;
import io.parley.testing.TestS3;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Uploads never sent expire: a node whose unsent uploads expire after two seconds deletes them
 * from the bucket, and keeps what was sent. Its S3 is an s3proxy in this JVM, configured as an
 * external endpoint, so that the test looks into the bucket itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnsentMediaIT {
  static final String BUCKET = "parley-media";
  static final String KEY = "mediakey";
  static final String SECRET = "mediasecret";
  static final Duration WAIT = Duration.ofSeconds(30);

  EmbeddedObjectStore s3;
  ParleyProcess node;
  ApiClient api;
  S3Client bucket;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void start(@TempDir Path temp) throws Exception {
    s3 = EmbeddedObjectStore.start(temp.resolve("s3"), ParleyProcess.freePort(), BUCKET, KEY, SECRET);
    node = ParleyProcess.start(temp, Map.of(
        "PARLEY_S3_EMBEDDED", "off",
        "PARLEY_S3_ENDPOINT", s3.endpoint(),
        "PARLEY_S3_BUCKET", BUCKET,
        "PARLEY_AWS_ACCESS_KEY_ID", KEY,
        "PARLEY_AWS_SECRET_ACCESS_KEY", SECRET,
        "PARLEY_MEDIA_UNSENT_EXPIRE_AFTER", "2s",
        "PARLEY_MEDIA_UNSENT_SWEEP_EVERY", "500ms"));
    api = new ApiClient(node);
    bucket = TestS3.client(s3.endpoint(), KEY, SECRET);
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
    bucket.close();
    s3.close();
  }

  @Test
  void anUploadNeverSentIsDeletedFromTheBucketAndOneSentIsKept() throws Exception {
    String alice = "alice-" + UUID.randomUUID().toString().substring(0, 8);
    String bob = "bob-" + UUID.randomUUID().toString().substring(0, 8);
    String aliceToken = api.token(alice);
    String unsent = upload(aliceToken, "never sent");
    String sent = upload(aliceToken, "sent to bob");
    assertEquals(200, api.post(aliceToken, "/v1/messages", mediaMessage(alice, bob, sent)).status());
    String unsentKey = keyEndingWith(unsent);
    String sentKey = keyEndingWith(sent);

    Poll.until(WAIT, () -> !objectKeys().contains(unsentKey)); // the node's sweep deletes it
    assertTrue(objectKeys().contains(sentKey), "what was sent stays");
    assertArrayEquals("sent to bob".getBytes(StandardCharsets.UTF_8), download(api.token(bob), sent).body());
    assertEquals(404, download(aliceToken, unsent).statusCode(), "not even its uploader finds it");
    ApiClient.Response late = api.post(aliceToken, "/v1/messages", mediaMessage(alice, bob, unsent));
    assertEquals(404, late.status(), "too late to send it");
    assertEquals("not_found", late.body().get("code").asText());
  }

  private String upload(String token, String content) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(node.http("/v1/media"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString(content))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return ApiClient.JSON.readTree(response.body()).get("media_url").asText();
  }

  private HttpResponse<byte[]> download(String token, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(node.http(url)).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String mediaMessage(String from, String to, String url) {
    String conversation = from.compareTo(to) <= 0 ? "d:" + from + ":" + to : "d:" + to + ":" + from;
    return "{\"conversation_id\":\"" + conversation + "\",\"client_msg_id\":\"" + UUID.randomUUID()
        + "\",\"content\":\"" + url + "\",\"content_type\":\"media\"}";
  }

  private List<String> objectKeys() {
    return bucket.listObjectsV2(b -> b.bucket(BUCKET).prefix("media/")).contents().stream()
        .map(S3Object::key).sorted().toList();
  }

  private String keyEndingWith(String url) {
    String mediaId = url.substring(url.lastIndexOf('/') + 1);
    List<String> keys = objectKeys().stream().filter(key -> key.endsWith("/" + mediaId)).toList();
    assertEquals(1, keys.size(), keys.toString());
    return keys.get(0);
  }
}
