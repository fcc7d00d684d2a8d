package io.parley;

import static io.parley.testing.WsClient.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.storage.EmbeddedObjectStore;
import io.parley.testing.ApiClient;
import io.parley.testing.TestS3;
import io.parley.testing.ParleyProcess;
import io.parley.testing.WsClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Media end to end: {@code POST /v1/media} streams into S3, {@code GET /v1/media/{id}} streams
 * back to those who may see it, and media messages carry the URL.
 *
 * <p>The node runs with a 64 MiB heap. Its S3 is an s3proxy in this JVM (configured as an
 * external endpoint, as AWS would be), so the node's heap holds only what Parley itself buffers,
 * and the test can look into the bucket while an upload is under way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MediaIT {
  static final int MiB = 1024 * 1024;
  static final long DEFAULT_LIMIT = 25L * MiB;
  static final String NODE_HEAP = "-Xmx128m";
  /** parley.media.max-downloads-per-user's default. */
  static final int DOWNLOADS_PER_USER = 8;
  /** A grace far shorter than the default (20 s) and a rate of 1 KiB/s, for the trickled upload. */
  static final Duration UPLOAD_GRACE = Duration.ofSeconds(2);
  static final String BUCKET = "parley-media";
  static final String KEY = "mediakey";
  static final String SECRET = "mediasecret";
  static final Pattern MEDIA_URL = Pattern.compile("/v1/media/[A-Za-z0-9_-]{22}");
  static final Pattern GC_AFTER = Pattern.compile("Pause .*->(\\d+)M\\(\\d+M\\)");

  EmbeddedObjectStore s3;
  ParleyProcess node;
  ApiClient api;
  S3Client bucket;
  Path gcLog;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void start(@TempDir Path temp) throws Exception {
    s3 = EmbeddedObjectStore.start(temp.resolve("s3"), ParleyProcess.freePort(), BUCKET, KEY, SECRET);
    gcLog = temp.resolve("gc.log");
    node = ParleyProcess.start(temp, Map.of(
            "PARLEY_S3_EMBEDDED", "off",
            "PARLEY_S3_ENDPOINT", s3.endpoint(),
            "PARLEY_S3_BUCKET", BUCKET,
            "PARLEY_AWS_ACCESS_KEY_ID", KEY,
            "PARLEY_AWS_SECRET_ACCESS_KEY", SECRET,
            "PARLEY_MEDIA_UPLOAD_GRACE", UPLOAD_GRACE.toSeconds() + "s",
            "PARLEY_MEDIA_MIN_UPLOAD_RATE", "1KiB"),
        List.of(NODE_HEAP, "-Xlog:gc:file=" + gcLog));
    api = new ApiClient(node);
    bucket = TestS3.client(s3.endpoint(), KEY, SECRET);
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
    bucket.close();
    s3.close();
  }

  private static String user(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  // ------------------------------------------------------------------------------------- tests

  @Test
  void aTwentyMiBUploadArrivesOnDiskThenGoesIntoS3AndBackWithASmallHeap() throws Exception {
    String alice = user("alice");
    String token = api.token(alice);
    // The client stops after 12 MiB until the test has seen them in the node's upload file: a
    // server that held the body in memory (it runs with a 128 MiB heap) would never write it there.
    Body body = new Body(20L * MiB, 12L * MiB);
    CompletableFuture<HttpResponse<String>> uploaded = http.sendAsync(
        upload(token, "video/mp4", HttpRequest.BodyPublishers.ofInputStream(() -> body)),
        HttpResponse.BodyHandlers.ofString());
    long onDisk = awaitUploadFileOf(10L * MiB);
    assertTrue(body.sent() <= 12L * MiB, "the client is still holding back the rest");
    assertTrue(onDisk <= body.sent(), onDisk + " bytes on disk of " + body.sent() + " sent");
    assertFalse(uploaded.isDone(), "no answer before the body has ended");
    assertTrue(unfinishedUploads().isEmpty(), "nothing goes to the bucket before the body is whole");
    body.resume();

    HttpResponse<String> response = uploaded.get(60, TimeUnit.SECONDS);
    assertEquals(200, response.statusCode(), response.body());
    JsonNode stored = ApiClient.JSON.readTree(response.body());
    String url = stored.get("media_url").asText();
    assertTrue(MEDIA_URL.matcher(url).matches(), url);
    assertEquals(20L * MiB, stored.get("size").asLong());
    assertEquals("video/mp4", stored.get("content_type").asText());

    // Content type and size are the object's metadata in S3; nothing else is left there.
    HeadObjectResponse head = bucket.headObject(b -> b.bucket(BUCKET).key(objectKey(alice, url)));
    assertEquals("video/mp4", head.contentType());
    assertEquals(20L * MiB, head.contentLength());
    assertEquals(alice, head.metadata().get("uploader"));
    assertTrue(unfinishedUploads().isEmpty());
    assertEquals(List.of(), uploadFiles(), "the upload's file is gone once it is stored");

    Download download = download(token, url);
    assertEquals(200, download.status());
    assertEquals("video/mp4", download.contentType());
    assertEquals(20L * MiB, download.contentLength());
    assertEquals(20L * MiB, download.bytes());
    assertArrayEquals(body.sha256(), download.sha256(), "the same bytes came back");

    assertTrue(node.isAlive());
    assertFalse(Files.readString(node.logFile()).contains("OutOfMemoryError"));
    System.out.printf("MediaIT: 20 MiB round trip with %s; highest heap after a GC: %d MiB%n",
        NODE_HEAP, peakHeapAfterGcMiB());
  }

  @Test
  void anUploadOverTheLimitIsRefusedWith413AndLeavesNothingInTheBucket() throws Exception {
    String token = api.token(user("alice"));
    List<String> before = objectKeys();

    // No length declared: the node counts while it arrives, and refuses it on the byte past the limit.
    Body overLimit = new Body(DEFAULT_LIMIT + 1, -1);
    HttpResponse<String> refused = http.send(
        upload(token, "application/zip", HttpRequest.BodyPublishers.ofInputStream(() -> overLimit)),
        HttpResponse.BodyHandlers.ofString());
    assertTooLarge(refused);
    assertTrue(overLimit.sent() > DEFAULT_LIMIT, "the body was read up to the limit: " + overLimit.sent());
    assertEquals(before, objectKeys(), "no object, partial or whole");
    assertTrue(unfinishedUploads().isEmpty(), "no multipart upload: " + unfinishedUploads());
    assertEquals(List.of(), uploadFiles(), "the refused upload's file is gone");

    // A declared length over the limit is refused before the body is sent (Expect: 100-continue).
    // A raw socket, because java.net.http waits forever for a 100 that rightly never comes.
    try (Socket socket = new Socket("127.0.0.1", node.httpPort)) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(("POST /v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + token + "\r\nContent-Type: application/zip\r\n"
          + "Content-Length: " + (DEFAULT_LIMIT + 1) + "\r\nExpect: 100-continue\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      BufferedReader reply = new BufferedReader(
          new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("HTTP/1.1 413 Content Too Large", reply.readLine(), "no 100 Continue, a final 413");
      String line;
      while (!(line = reply.readLine()).isEmpty()) {
        // headers
      }
      assertTrue(reply.readLine().contains("\"code\":\"too_large\""));
    }
    assertEquals(before, objectKeys());
  }

  @Test
  void anEmptyUploadIsRefusedWith400AndLeavesNothingInTheBucket() throws Exception {
    String token = api.token(user("alice"));
    List<String> before = objectKeys();
    // Content-Length: 0, and a chunked body that ends before its first byte.
    for (HttpRequest.BodyPublisher nothing : List.of(HttpRequest.BodyPublishers.noBody(),
        HttpRequest.BodyPublishers.ofInputStream(InputStream::nullInputStream))) {
      HttpResponse<String> refused = http.send(upload(token, "image/png", nothing), HttpResponse.BodyHandlers.ofString());
      assertEquals(400, refused.statusCode(), refused.body());
      JsonNode error = ApiClient.JSON.readTree(refused.body());
      assertEquals("bad_request", error.get("code").asText());
      assertEquals("the body is empty: an upload carries the media's bytes", error.get("message").asText());
    }
    assertEquals(before, objectKeys(), "no empty object");
    assertTrue(unfinishedUploads().isEmpty(), "no upload left open: " + unfinishedUploads());
  }

  @Test
  void anUploadTrickledBelowTheMinimumRateIsRefusedWith400LeavesNothingAndFreesItsSlot() throws Exception {
    String token = api.token(user("alice"));
    List<String> before = objectKeys();
    // Both of the user's slots, each held by a body of 100 bytes every 250 ms: 400 bytes a second.
    try (Socket first = startChunkedUpload(token); Socket second = startChunkedUpload(token)) {
      awaitMetric("parley_media_uploads", 2); // what operators see
      long started = System.nanoTime();
      HttpResponse<String> third = http.send(upload(token, "image/png", HttpRequest.BodyPublishers.ofByteArray(
          new Body(1000, -1).readAll())), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, third.statusCode(), "both slots are held while the trickles go on: " + third.body());

      for (Socket trickle : List.of(first, second)) {
        List<String> answer = trickleUntilAnswered(trickle);
        assertEquals("HTTP/1.1 400 Bad Request", answer.get(0), answer.toString());
        JsonNode error = ApiClient.JSON.readTree(answer.get(answer.size() - 1));
        assertEquals("bad_request", error.get("code").asText());
        assertEquals("the upload arrived slower than 1 KiB a second after its first 2 s; nothing was kept",
            error.get("message").asText());
      }
      long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
      assertTrue(tookMs >= UPLOAD_GRACE.toMillis(), "refused after " + tookMs + " ms, within its grace");
    }
    assertEquals(before, objectKeys(), "no object");
    assertTrue(unfinishedUploads().isEmpty(), "no upload left open: " + unfinishedUploads());
    assertEquals(List.of(), uploadFiles(), "the refused uploads' files are gone");
    // The slots were given back: the same user uploads at once.
    String url = uploadBytes(token, "image/png", new Body(1000, -1).readAll());
    assertTrue(MEDIA_URL.matcher(url).find(), url);
  }

  @Test
  void slowReadersHoldNeitherTheNodesStorageConnectionsNorMoreThanTheirOwnDownloads() throws Exception {
    String reader = api.token(user("reader"));
    // Larger than what the sockets on the way can hold, so that a reader who stops reading stops
    // the node's reading too.
    String video = uploadBytes(reader, "video/mp4", new Body(20L * MiB, -1).readAll());
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < DOWNLOADS_PER_USER; i++) {
        stalled.add(stalledDownload(reader, video));
      }
      awaitMetric("parley_media_downloads", DOWNLOADS_PER_USER); // what operators see
      HttpResponse<String> another = http.send(getWithin20s(reader, video), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, another.statusCode(), another.body());
      assertEquals("you have 8 downloads in progress on this node; finish one first",
          ApiClient.JSON.readTree(another.body()).get("message").asText());

      // Everyone else's traffic to object storage goes on: an upload and a download, at once.
      String other = api.token(user("other"));
      HttpResponse<String> uploaded = http.send(HttpRequest.newBuilder(node.http("/v1/media"))
              .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + other)
              .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofString("a small picture")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, uploaded.statusCode(), uploaded.body());
      String picture = ApiClient.JSON.readTree(uploaded.body()).get("media_url").asText();
      HttpResponse<String> fetched = http.send(getWithin20s(other, picture), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, fetched.statusCode());
      assertEquals("a small picture", fetched.body());
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
    // The readers gone, their places come back: the same user downloads the video whole.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Download again;
    while ((again = download(reader, video)).status() == 503 && System.nanoTime() < deadline) {
      Thread.sleep(100); // polled: the node notices the closed sockets on its own time
    }
    assertEquals(200, again.status());
    assertEquals(20L * MiB, again.bytes());
    awaitMetric("parley_media_downloads", 0);
  }

  /** Waits until the gauge {@code name} of the node's /metrics reads {@code value}. */
  private void awaitMetric(String name, double value) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    double read;
    while ((read = metric(name)) != value) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " read " + read + ", not " + value);
      }
      Thread.sleep(50); // /metrics is polled: there is nothing to subscribe to
    }
  }

  private double metric(String name) throws Exception {
    Matcher sample = Pattern.compile("(?m)^" + name + " (\\S+)").matcher(node.managementBody("/metrics"));
    assertTrue(sample.find(), name + " is not in /metrics");
    return Double.parseDouble(sample.group(1));
  }

  /** A GET of {@code url} answered 200, whose body its client then stops reading. */
  private Socket stalledDownload(String token, String url) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", node.httpPort));
    socket.setSoTimeout(20_000);
    socket.getOutputStream().write(("GET " + url + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    byte[] status = socket.getInputStream().readNBytes("HTTP/1.1 200".length());
    assertEquals("HTTP/1.1 200", new String(status, StandardCharsets.US_ASCII));
    return socket;
  }

  private HttpRequest getWithin20s(String token, String url) {
    return HttpRequest.newBuilder(node.http(url)).timeout(Duration.ofSeconds(20))
        .header("Authorization", "Bearer " + token).build();
  }

  /** A chunked upload whose head and first chunk are sent, and whose request is then counted. */
  private Socket startChunkedUpload(String token) throws Exception {
    int filesBefore = uploadFiles().size();
    Socket socket = new Socket("127.0.0.1", node.httpPort);
    socket.getOutputStream().write(("POST /v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Bearer " + token + "\r\nContent-Type: image/png\r\n"
        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    sendChunk(socket);
    // Its file begun in the node's data dir shows that the node took it, and gave it a slot.
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (uploadFiles().size() <= filesBefore) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the trickled upload's file never appeared in " + node.dataDir.resolve("uploads"));
      }
      sendChunk(socket);
    }
    return socket;
  }

  private static void sendChunk(Socket socket) throws IOException {
    byte[] chunk = new byte[100];
    socket.getOutputStream().write(("64\r\n").getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().write(chunk);
    socket.getOutputStream().write("\r\n".getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    try {
      Thread.sleep(250); // the client's pace: 400 bytes a second
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends a chunk every 250 ms until the node answers; the answer's lines (status first, body last). */
  private static List<String> trickleUntilAnswered(Socket socket) throws IOException {
    socket.setSoTimeout(1);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        int first = socket.getInputStream().read();
        if (first == -1) {
          throw new AssertionError("closed without an answer");
        }
        socket.setSoTimeout(10_000);
        BufferedReader rest = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        return Stream.concat(Stream.of((char) first + rest.readLine()),
            rest.lines()).filter(line -> !line.isEmpty()).toList();
      } catch (SocketTimeoutException noAnswerYet) {
        try {
          sendChunk(socket);
        } catch (SocketException closedWhileSending) {
          // the node answered and closed while this chunk was on its way: the answer is read next
        }
      }
    }
    throw new AssertionError("a body of 400 bytes a second was still taken after 60 s");
  }

  @Test
  void onlyTheUploaderAndMembersOfAConversationWhereItWasSentMayFetchIt() throws Exception {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    String dave = user("dave");
    String erin = user("erin");
    byte[] picture = new Body(300_000, -1).readAll();
    String url = uploadBytes(api.token(alice), "image/png", picture);

    // The uploader may; nobody else, until it is sent to them.
    assertArrayEquals(picture, downloadBytes(api.token(alice), url));
    assertNotFound(api.token(bob), url);
    JsonNode unauthenticated = get(null, url);
    assertEquals(401, unauthenticated.get("status").asInt());

    ApiClient.Response group = api.post(api.token(alice), "/v1/groups",
        "{\"title\":\"Pictures\",\"members\":[\"" + bob + "\",\"" + erin + "\"]}");
    String groupId = group.body().get("conversation_id").asText();
    try (WsClient alicePhone = WsClient.connect(node, api.token(alice), "phone");
        WsClient bobPhone = WsClient.connect(node, api.token(bob), "phone")) {
      JsonNode ack = alicePhone.request(frame("msg.send").put("conversation_id", groupId)
          .put("client_msg_id", "pic-1").put("content", url).put("content_type", "media"));
      assertEquals("msg.ack", ack.get("type").asText(), ack.toString());
      JsonNode delivered = bobPhone.await(f -> "msg.new".equals(f.path("type").asText())
          && groupId.equals(f.path("conversation_id").asText()));
      assertEquals(url, delivered.get("content").asText());
      assertEquals("media", delivered.get("content_type").asText());
    }

    // Members of the group may; the inbox says it is media, never the URL.
    assertArrayEquals(picture, downloadBytes(api.token(bob), url));
    assertArrayEquals(picture, downloadBytes(api.token(erin), url));
    JsonNode inboxItem = api.get(api.token(bob), "/v1/inbox").body().get("items").get(0);
    assertEquals(groupId, inboxItem.get("conversation_id").asText());
    assertEquals("[media]", inboxItem.get("last_message_preview").asText());

    // A non-member may neither fetch it nor pass it on; their attempt grants nobody anything.
    assertNotFound(api.token(carol), url);
    ApiClient.Response resent = api.post(api.token(carol), "/v1/messages", mediaMessage(carol, dave, url));
    assertEquals(404, resent.status());
    assertEquals("not_found", resent.body().get("code").asText());
    assertNotFound(api.token(dave), url);

    // A member may forward it, which lets the new conversation's members see it.
    assertEquals(200, api.post(api.token(bob), "/v1/messages", mediaMessage(bob, dave, url)).status());
    assertArrayEquals(picture, downloadBytes(api.token(dave), url));

    // Access follows current membership: a member who left is refused.
    try (WsClient erinPhone = WsClient.connect(node, api.token(erin), "phone")) {
      erinPhone.send(frame("conversation.leave").put("conversation_id", groupId));
      erinPhone.await(f -> "conversation.updated".equals(f.path("type").asText()));
    }
    assertNotFound(api.token(erin), url);

    // The content of a media message must be one of our media URLs.
    ApiClient.Response foreign = api.post(api.token(alice), "/v1/messages",
        mediaMessage(alice, bob, "https://example.com/cat.png"));
    assertEquals(400, foreign.status());
    assertEquals("bad_request", foreign.body().get("code").asText());
    assertNotFound(api.token(alice), "/v1/media/AAAAAAAAAAAAAAAAAAAAAA");
  }

  @Test
  void aDirectConversationsMembersAreThoseItStartedWithNotAnyPairItsIdCouldName() throws Exception {
    // d:x…:y…:z is the id of x… with y…:z, and also of x…:y… with z (':' is allowed in user ids).
    String first = user("x");
    String second = first.replace("x-", "y-") + ":z";
    String impostor = first + ":" + first.replace("x-", "y-");
    String conversation = "d:" + first + ":" + second;
    assertEquals(conversation, "d:" + impostor + ":z", "the same id names both pairs");
    String url = uploadBytes(api.token(first), "image/png", new Body(1000, -1).readAll());
    assertEquals(200, api.post(api.token(first), "/v1/messages", mediaMessage(first, second, url)).status());
    assertEquals(1000, downloadBytes(api.token(second), url).length);
    assertNotFound(api.token(impostor), url);
  }

  @Test
  void mediaWhoseObjectIsGoneFromTheBucketIsNotFound() throws Exception {
    // As after its uploader's account was erased: the record remains, the object does not.
    String alice = user("alice");
    String url = uploadBytes(api.token(alice), "image/png", new Body(1000, -1).readAll());
    bucket.deleteObject(b -> b.bucket(BUCKET).key(objectKey(alice, url)));
    assertNotFound(api.token(alice), url);
  }

  // ----------------------------------------------------------------------------------- helpers

  private static String mediaMessage(String from, String to, String url) {
    String conversation = from.compareTo(to) <= 0 ? "d:" + from + ":" + to : "d:" + to + ":" + from;
    return "{\"conversation_id\":\"" + conversation + "\",\"client_msg_id\":\"" + UUID.randomUUID()
        + "\",\"content\":\"" + url + "\",\"content_type\":\"media\"}";
  }

  private HttpRequest upload(String token, String contentType, HttpRequest.BodyPublisher body) {
    return HttpRequest.newBuilder(node.http("/v1/media"))
        .timeout(Duration.ofSeconds(120))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", contentType)
        .POST(body)
        .build();
  }

  private String uploadBytes(String token, String contentType, byte[] bytes) throws Exception {
    HttpResponse<String> response =
        http.send(upload(token, contentType, HttpRequest.BodyPublishers.ofByteArray(bytes)),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return ApiClient.JSON.readTree(response.body()).get("media_url").asText();
  }

  record Download(int status, String contentType, long contentLength, long bytes, byte[] sha256) {}

  private Download download(String token, String url) throws Exception {
    HttpResponse<InputStream> response = http.send(
        HttpRequest.newBuilder(node.http(url)).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    MessageDigest sha = newSha256();
    long count = 0;
    try (InputStream in = response.body()) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) > 0; count += n) {
        sha.update(buffer, 0, n);
      }
    }
    return new Download(response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(null),
        response.headers().firstValueAsLong("Content-Length").orElse(-1),
        count, sha.digest());
  }

  private byte[] downloadBytes(String token, String url) throws Exception {
    HttpResponse<byte[]> response = http.send(
        HttpRequest.newBuilder(node.http(url)).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode(), new String(response.body()));
    assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(null));
    return response.body();
  }

  /** Status and body of a GET, as {@code {"status":…,"body":…}}. */
  private JsonNode get(String token, String url) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(node.http(url));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    var node = ApiClient.JSON.createObjectNode().put("status", response.statusCode());
    node.set("body", ApiClient.JSON.readTree(response.body()));
    return node;
  }

  /** Refused as PROTOCOL.md says: 404 with {@code {"code":"not_found","message":…}}. */
  private void assertNotFound(String token, String url) throws Exception {
    JsonNode response = get(token, url);
    assertEquals(404, response.get("status").asInt(), response.toString());
    assertEquals("not_found", response.get("body").get("code").asText());
    assertFalse(response.get("body").get("message").asText().isEmpty());
  }

  private static void assertTooLarge(HttpResponse<String> response) throws IOException {
    assertEquals(413, response.statusCode(), response.body());
    JsonNode error = ApiClient.JSON.readTree(response.body());
    assertEquals("too_large", error.get("code").asText());
    assertTrue(error.get("message").asText().contains(DEFAULT_LIMIT + " bytes (25 MiB)"), error.toString());
  }

  /** Under the uploader's prefix: the SHA-256 of their id, base64url without padding. */
  private static String objectKey(String uploader, String url) {
    String uploaderKey = java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString(newSha256().digest(uploader.getBytes(StandardCharsets.UTF_8)));
    return "media/u/" + uploaderKey + "/" + url.substring(url.lastIndexOf('/') + 1);
  }

  private List<String> objectKeys() {
    return bucket.listObjectsV2(b -> b.bucket(BUCKET).prefix("media/")).contents().stream()
        .map(S3Object::key).sorted().toList();
  }

  private List<MultipartUpload> unfinishedUploads() {
    return bucket.listMultipartUploads(b -> b.bucket(BUCKET).prefix("media/")).uploads();
  }

  /** The files of uploads in progress on the node. */
  private List<Path> uploadFiles() throws IOException {
    Path dir = node.dataDir.resolve("uploads");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }

  /** Waits until an upload's file on the node holds at least {@code bytes}; its size. */
  private long awaitUploadFileOf(long bytes) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      for (Path file : uploadFiles()) {
        long size = Files.exists(file) ? Files.size(file) : 0;
        if (size >= bytes) {
          return size;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no upload file reached " + bytes + " bytes while the client held back: " + uploadFiles());
      }
      Thread.sleep(50); // the file is polled: there is nothing to subscribe to
    }
  }

  private long peakHeapAfterGcMiB() throws IOException {
    long peak = 0;
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = GC_AFTER.matcher(line);
      if (m.find()) {
        peak = Math.max(peak, Long.parseLong(m.group(1)));
      }
    }
    return peak;
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A body of {@code size} pseudo-random bytes (each MiB seeded by its index), hashed as it is
   * sent. With {@code pauseAt} ≥ 0 it stops there until {@link #resume()}.
   */
  static final class Body extends InputStream {
    private final long size;
    private final long pauseAt;
    private final CountDownLatch resumed = new CountDownLatch(1);
    private final MessageDigest sha = newSha256();
    private volatile long sent;
    private byte[] block;
    private long blockIndex = -1;

    Body(long size, long pauseAt) {
      this.size = size;
      this.pauseAt = pauseAt;
    }

    long sent() {
      return sent;
    }

    void resume() {
      resumed.countDown();
    }

    byte[] sha256() {
      return sha.digest();
    }

    byte[] readAll() {
      try {
        return readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (sent >= size) {
        return -1;
      }
      if (sent == pauseAt) {
        try {
          if (!resumed.await(60, TimeUnit.SECONDS)) {
            throw new IOException("never resumed");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
      long index = sent / MiB;
      if (index != blockIndex) {
        block = new byte[MiB];
        new SplittableRandom(index).nextBytes(block);
        blockIndex = index;
      }
      long limit = pauseAt > sent ? Math.min(size, pauseAt) : size;
      int within = (int) (sent % MiB);
      int n = (int) Math.min(Math.min(length, MiB - within), limit - sent);
      System.arraycopy(block, within, buffer, offset, n);
      sha.update(buffer, offset, n);
      sent += n;
      return n;
    }
  }
}
