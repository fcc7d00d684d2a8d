package io.parley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Media uploads: streamed through a small heap into S3, and refused whole when too large, empty or too slow. */
class MediaUploadIT extends SharedMediaNode {
  static final long DEFAULT_LIMIT = 25L * MiB;
  static final Pattern MEDIA_URL = Pattern.compile("/v1/media/[A-Za-z0-9_-]{22}");
  static final Pattern GC_AFTER = Pattern.compile("Pause .*->(\\d+)M\\(\\d+M\\)");

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

  private static void assertTooLarge(HttpResponse<String> response) throws IOException {
    assertEquals(413, response.statusCode(), response.body());
    JsonNode error = ApiClient.JSON.readTree(response.body());
    assertEquals("too_large", error.get("code").asText());
    assertTrue(error.get("message").asText().contains(DEFAULT_LIMIT + " bytes (25 MiB)"), error.toString());
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
}
