package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.storage.EmbeddedObjectStore;
import io.parley.storage.S3ConnectorSettings;
import io.parley.testing.EntityHarness;
import io.parley.testing.ParleyProcess;
import io.parley.testing.TestS3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Uploads never sent are deleted from the bucket ({@link UnsentMediaSweep}), against a real S3
 * (s3proxy in this JVM) and real MediaActors, with an expiry of a second. The test looks into the
 * bucket with its own S3 client.
 */
class UnsentMediaSweepTest {
  static final String BUCKET = "parley-media";
  static final String KEY = "mediakey";
  static final String SECRET = "mediasecret";
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String CHAT = "d:alice:bob";

  @TempDir Path temp;
  EmbeddedObjectStore s3;
  EntityHarness harness;
  MediaService media;
  S3Client bucket;
  final Map<String, ActorRef<MediaActor.Command>> entities = new ConcurrentHashMap<>();

  @BeforeEach
  void setUp() throws Exception {
    s3 = EmbeddedObjectStore.start(temp.resolve("s3"), ParleyProcess.freePort(), BUCKET, KEY, SECRET);
    Map<String, Object> overrides = new HashMap<>();
    S3ConnectorSettings.connectorConfig(s3.endpoint(), KEY, SECRET, "us-east-1")
        .forEach((name, value) -> overrides.put("pekko.connectors.s3." + name, value));
    overrides.put("parley.s3.bucket", BUCKET);
    overrides.put("parley.media.unsent.expire-after", "1s");
    overrides.put("parley.media.unsent.sweep-every", "200ms");
    harness = new EntityHarness(ConfigFactory.parseMap(overrides).root().render());
    MediaSettings settings = MediaSettings.from(harness.config);
    media = new MediaService(this::entity, harness, settings, Duration.ofSeconds(5), harness.testKit.system());
    bucket = TestS3.client(s3.endpoint(), KEY, SECRET);
  }

  private ActorRef<MediaActor.Command> entity(String mediaId) {
    return entities.computeIfAbsent(mediaId, id -> harness.testKit.spawn(
        MediaActor.create(id, MediaSettings.from(harness.config), harness.clock)));
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.shutdown();
    bucket.close();
    s3.close();
  }

  private void startSweep() {
    harness.testKit.spawn(UnsentMediaSweep.create(this::entity, MediaSettings.from(harness.config),
        UnsentMediaSettings.from(harness.config), Duration.ofSeconds(5), Clock.systemUTC()));
  }

  @Test
  void anUploadNeverSentIsDeletedAndOneSentIsKept() throws Exception {
    String unsent = upload("alice", "never sent");
    String sent = upload("alice", "sent");
    assertTrue(share("alice", sent).isOk());
    String unsentKey = keyEndingWith(unsent);
    String sentKey = keyEndingWith(sent);

    startSweep();
    harness.testKit.createTestProbe().awaitAssert(WAIT, () -> {
      assertFalse(objectKeys().contains(unsentKey), "deleted from the bucket");
      return null;
    });
    assertTrue(objectKeys().contains(sentKey), "a sent upload stays");
    assertArrayEquals(bytes("sent"), download("alice", sent).value());
    assertEquals(Outcome.Reason.NOT_FOUND, download("alice", unsent).reason());
    assertEquals(Outcome.Reason.NOT_FOUND, share("alice", unsent).reason(), "too late to send it");
  }

  // --------------------------------------------------------------------------------- helpers

  private static byte[] bytes(String content) {
    return content.getBytes(StandardCharsets.UTF_8);
  }

  private String upload(String uploaderId, String content) throws Exception {
    byte[] body = bytes(content);
    Outcome<MediaService.Stored> stored = media.upload(uploaderId, ContentTypes.APPLICATION_OCTET_STREAM,
            OptionalLong.of(body.length), false, Source.single(ByteString.fromArray(body)))
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertTrue(stored.isOk(), stored.toString());
    return stored.value().mediaId();
  }

  /** Grant-then-send to alice and bob's chat, the chat saying the sender is a member. */
  private Outcome<Done> share(String senderId, String mediaId) throws Exception {
    CompletionStage<Outcome<Done>> shared = media.shareBeforeSend(senderId, mediaId, CHAT);
    TestProbe<ConversationActor.Command> chat = harness.conversationProbe(CHAT);
    ConversationActor.GetInfo asked = chat.expectMessageClass(ConversationActor.GetInfo.class);
    asked.replyTo().tell(Outcome.ok(new ConversationInfo(CHAT, null, List.of("alice", "bob"), 0, null)));
    return shared.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private Outcome<byte[]> download(String userId, String mediaId) throws Exception {
    return media.open(userId, mediaId)
        .thenCompose(opened -> !opened.isOk()
            ? CompletableFuture.completedFuture(Outcome.<byte[]>rejected(opened.reason(), opened.message()))
            : opened.value().bytes()
                .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), harness.testKit.system())
                .thenApply(all -> Outcome.ok(all.toArray())))
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private List<String> objectKeys() {
    return bucket.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream().map(S3Object::key).toList();
  }

  private String keyEndingWith(String mediaId) {
    List<String> keys = objectKeys().stream().filter(key -> key.endsWith("/" + mediaId)).toList();
    assertEquals(1, keys.size(), keys.toString());
    return keys.get(0);
  }
}
