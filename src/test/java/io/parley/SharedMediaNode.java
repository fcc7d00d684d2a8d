package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.storage.EmbeddedObjectStore;
import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.RunFixture;
import io.parley.testing.TestS3;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Media end to end, as the ITs extending this check it: {@code POST /v1/media} streams into S3,
 * {@code GET /v1/media/{id}} streams back to those who may see it, and media messages carry the
 * URL.
 *
 * <p>The node runs with a 128 MiB heap ({@link #NODE_HEAP}). Its S3 is an s3proxy in this JVM
 * (configured as an external endpoint, as AWS would be), so the node's heap holds only what Parley
 * itself buffers, and the test can look into the bucket while an upload is under way. The classes
 * share the node and the bucket (a start costs seconds; each test uses its own users): they start
 * with the first of them to run and stop when the test run ends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedMediaNode.Started.class)
abstract class SharedMediaNode {
  static final int MiB = 1024 * 1024;
  static final String NODE_HEAP = "-Xmx128m";
  /** A grace far shorter than the default (20 s) and a rate of 1 KiB/s, for the trickled upload. */
  static final Duration UPLOAD_GRACE = Duration.ofSeconds(2);
  static final String BUCKET = "parley-media";
  static final String KEY = "mediakey";
  static final String SECRET = "mediasecret";

  ParleyProcess node;
  ApiClient api;
  S3Client bucket;
  Path gcLog;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The node, its S3 and a client of its bucket, closed in that order. */
  private record Media(EmbeddedObjectStore s3, ParleyProcess node, S3Client bucket, Path gcLog) implements AutoCloseable {
    static Media start(Path temp) throws Exception {
      EmbeddedObjectStore s3 = EmbeddedObjectStore.start(temp.resolve("s3"), ParleyProcess.freePort(), BUCKET, KEY, SECRET);
      Path gcLog = temp.resolve("gc.log");
      ParleyProcess node = ParleyProcess.start(temp, Map.of(
              "PARLEY_S3_EMBEDDED", "off",
              "PARLEY_S3_ENDPOINT", s3.endpoint(),
              "PARLEY_S3_BUCKET", BUCKET,
              "PARLEY_AWS_ACCESS_KEY_ID", KEY,
              "PARLEY_AWS_SECRET_ACCESS_KEY", SECRET,
              "PARLEY_MEDIA_UPLOAD_GRACE", UPLOAD_GRACE.toSeconds() + "s",
              "PARLEY_MEDIA_MIN_UPLOAD_RATE", "1KiB"),
          List.of(NODE_HEAP, "-Xlog:gc:file=" + gcLog));
      return new Media(s3, node, TestS3.client(s3.endpoint(), KEY, SECRET), gcLog);
    }

    @Override
    public void close() throws Exception {
      node.close();
      bucket.close();
      s3.close();
    }
  }

  /** Hands each test class the run's node, starting it for the first. */
  static final class Started implements TestInstancePostProcessor {
    @Override
    public void postProcessTestInstance(Object test, ExtensionContext context) {
      Media media = RunFixture.get(context, SharedMediaNode.class, Media::start);
      SharedMediaNode shared = (SharedMediaNode) test;
      shared.node = media.node();
      shared.api = new ApiClient(media.node());
      shared.bucket = media.bucket();
      shared.gcLog = media.gcLog();
    }
  }

  static String user(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Waits until the gauge {@code name} of the node's /metrics reads {@code value}. */
  void awaitMetric(String name, double value) throws Exception {
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

  HttpRequest upload(String token, String contentType, HttpRequest.BodyPublisher body) {
    return HttpRequest.newBuilder(node.http("/v1/media"))
        .timeout(Duration.ofSeconds(120))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", contentType)
        .POST(body)
        .build();
  }

  String uploadBytes(String token, String contentType, byte[] bytes) throws Exception {
    HttpResponse<String> response =
        http.send(upload(token, contentType, HttpRequest.BodyPublishers.ofByteArray(bytes)),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return ApiClient.JSON.readTree(response.body()).get("media_url").asText();
  }

  record Download(int status, String contentType, long contentLength, long bytes, byte[] sha256) {}

  Download download(String token, String url) throws Exception {
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

  /** Under the uploader's prefix: the SHA-256 of their id, base64url without padding. */
  static String objectKey(String uploader, String url) {
    String uploaderKey = java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString(newSha256().digest(uploader.getBytes(StandardCharsets.UTF_8)));
    return "media/u/" + uploaderKey + "/" + url.substring(url.lastIndexOf('/') + 1);
  }

  static MessageDigest newSha256() {
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
