package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Outcome;
import io.parley.storage.EmbeddedObjectStore;
import io.parley.testing.EntityHarness;
import io.parley.testing.MediaOnS3;
import io.parley.testing.TestS3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What the tests of where media is stored share: MediaService against a real S3 (s3proxy in this
 * JVM) and real MediaActors (Pekko's persistence testkit), and the steps the tests take. The tests
 * look into the bucket with their own S3 client, not through the code under test. Each test class
 * of one of the storage's jobs extends it.
 */
abstract class MediaStorageFixture {
  static final String BUCKET = "parley-media";
  static final String KEY = "mediakey";
  static final String SECRET = "mediasecret";
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path temp;
  EmbeddedObjectStore s3;
  EntityHarness harness;
  MediaService media;
  S3Client bucket;
  Map<String, ActorRef<MediaActor.Command>> entities;
  MediaOnS3 stack;

  @BeforeEach
  void setUp() throws Exception {
    stack = new MediaOnS3(temp, BUCKET, KEY, SECRET);
    s3 = stack.s3;
    harness = stack.harness;
    media = stack.media;
    entities = stack.entities;
    bucket = TestS3.client(s3.endpoint(), KEY, SECRET);
  }

  @AfterEach
  void tearDown() throws Exception {
    bucket.close();
    stack.close();
  }

  ActorRef<MediaActor.Command> entity(String mediaId) {
    return stack.entity(mediaId);
  }

  List<String> unfinishedUploadKeys() {
    return bucket.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().stream()
        .map(MultipartUpload::key).sorted().toList();
  }

  static byte[] bytes(String content) {
    return content.getBytes(StandardCharsets.UTF_8);
  }

  String upload(String uploaderId, byte[] content) throws Exception {
    Outcome<MediaService.Stored> stored = media.upload(uploaderId, ContentTypes.APPLICATION_OCTET_STREAM,
            OptionalLong.of(content.length), false, Source.single(ByteString.fromArray(content)))
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertTrue(stored.isOk(), stored.toString());
    return stored.value().mediaId();
  }

  /** Records media as MediaService would, with the object put there by the test. */
  void register(String mediaId, String uploaderId, long size, String objectKey) {
    TestProbe<Outcome<MediaActor.Media>> reply = harness.testKit.createTestProbe();
    entity(mediaId).tell(new MediaActor.Register(uploaderId, "application/octet-stream", size, objectKey, reply.ref()));
    assertTrue(reply.receiveMessage(WAIT).isOk());
  }

  /** The media's bytes as {@code userId} downloads them, or the refusal. */
  Outcome<byte[]> download(String userId, String mediaId) throws Exception {
    return download(userId, mediaId, null);
  }

  /** As {@link #download(String, String)}, the bytes {@code range} asks for if not null. */
  Outcome<byte[]> download(String userId, String mediaId, RangeRequest range) throws Exception {
    return media.open(userId, mediaId, java.util.Optional.ofNullable(range))
        .thenCompose(opened -> !opened.isOk()
            ? CompletableFuture.completedFuture(Outcome.<byte[]>rejected(opened.reason(), opened.message()))
            : opened.value().bytes()
                .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), harness.testKit.system())
                .thenApply(all -> Outcome.ok(all.toArray())))
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  List<String> objectKeys() {
    return bucket.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream()
        .map(S3Object::key).sorted().toList();
  }

  /** The one object key of the bucket for {@code mediaId}. */
  String keyEndingWith(String mediaId) {
    List<String> keys = objectKeys().stream().filter(key -> key.endsWith("/" + mediaId)).toList();
    assertEquals(1, keys.size(), keys.toString());
    return keys.get(0);
  }
}
