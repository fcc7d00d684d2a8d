package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.storage.EmbeddedObjectStore;
import io.parley.storage.S3ConnectorSettings;
import io.parley.testing.EntityHarness;
import io.parley.testing.TestS3;
import io.parley.testing.ParleyProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * MediaService against a real S3 (s3proxy in this JVM) and real MediaActors (Pekko's persistence
 * testkit): where objects are stored, how they are found again, and what a missing one answers.
 * The test looks into the bucket with its own S3 client, not through the code under test.
 */
class MediaStorageTest {
  static final String BUCKET = "parley-media";
  static final String KEY = "mediakey";
  static final String SECRET = "mediasecret";
  static final Duration WAIT = Duration.ofSeconds(30);
  /** Marks the bytes of the user who is erased, to look for them on the store's disk. */
  static final String SECRET_MARK = "erase-me-";

  @TempDir Path temp;
  EmbeddedObjectStore s3;
  EntityHarness harness;
  MediaService media;
  S3Client bucket;
  final Map<String, ActorRef<MediaActor.Command>> entities = new ConcurrentHashMap<>();

  @BeforeEach
  void setUp() throws Exception {
    s3 = EmbeddedObjectStore.start(temp.resolve("s3"), ParleyProcess.freePort(), BUCKET, KEY, SECRET);
    // The connector's defaults, as ParleyConfig sets them for the media endpoint of a node.
    Map<String, Object> overrides = new HashMap<>();
    S3ConnectorSettings.connectorConfig(s3.endpoint(), KEY, SECRET, "us-east-1")
        .forEach((name, value) -> overrides.put("pekko.connectors.s3." + name, value));
    overrides.put("parley.s3.bucket", BUCKET);
    overrides.put("parley.data-dir", temp.resolve("data").toString());
    harness = new EntityHarness(ConfigFactory.parseMap(overrides).root().render());
    MediaSettings settings = MediaSettings.from(harness.config);
    media = new MediaService(
        mediaId -> entities.computeIfAbsent(mediaId,
            id -> harness.testKit.spawn(MediaActor.create(id, settings, harness.clock))),
        harness, settings, Duration.ofSeconds(5), harness.testKit.system());
    bucket = TestS3.client(s3.endpoint(), KEY, SECRET);
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.shutdown();
    bucket.close();
    s3.close();
  }

  // ------------------------------------------------------------------------------------- tests

  @Test
  void aDownloadOfMediaWhoseObjectIsGoneIsNotFound() throws Exception {
    String kept = upload("alice", bytes("kept"));
    String gone = upload("alice", bytes("gone"));
    String goneKey = keyEndingWith(gone);
    bucket.deleteObject(b -> b.bucket(BUCKET).key(goneKey));

    Outcome<byte[]> refused = download("alice", gone);
    assertEquals(Outcome.Reason.NOT_FOUND, refused.reason(), "not a failure, not unavailable");
    assertArrayEquals(bytes("kept"), download("alice", kept).value());
  }

  @Test
  void mediaRecordedWithoutAKeyIsFoundAtTheLegacyKeyOrElseUnderItsUploader() throws Exception {
    // Stored by a version before the per-uploader layout.
    String legacy = MediaUrls.newId();
    bucket.putObject(b -> b.bucket(BUCKET).key("media/" + legacy), RequestBody.fromBytes(bytes("legacy")));
    register(legacy, "alice", bytes("legacy").length, null);
    assertArrayEquals(bytes("legacy"), download("alice", legacy).value());

    // Stored by this version, recorded by an older node (which drops the key) in a rolling upgrade.
    String upgrading = MediaUrls.newId();
    bucket.putObject(b -> b.bucket(BUCKET).key(MediaKeys.objectKey("alice", upgrading)),
        RequestBody.fromBytes(bytes("upgrading")));
    register(upgrading, "alice", bytes("upgrading").length, null);
    assertArrayEquals(bytes("upgrading"), download("alice", upgrading).value());

    String neither = MediaUrls.newId();
    register(neither, "alice", 1, null);
    assertEquals(Outcome.Reason.NOT_FOUND, download("alice", neither).reason());
  }

  @Test
  void aBrokenStoreIsAFailureNotAMissingObject() throws Exception {
    String mediaId = upload("alice", bytes("picture"));
    String key = keyEndingWith(mediaId);
    bucket.deleteObject(b -> b.bucket(BUCKET).key(key));
    bucket.deleteBucket(b -> b.bucket(BUCKET));
    // S3 answers 404 here too (NoSuchBucket), but the store is broken, not the media gone: the
    // gateway answers unavailable, and the client retries.
    var failure = assertThrows(ExecutionException.class, () -> download("alice", mediaId));
    assertTrue(failure.getCause().toString().contains("NoSuchBucket"), failure.getCause().toString());
  }

  @Test
  void erasingAnUploadersMediaDeletesAllOfItAndNothingOfAnyoneElse() throws Exception {
    // "al" and "al/ice": with raw ids in keys, al's prefix would hold al/ice's objects.
    String erased = "al/ice";
    String other = "al";
    List<String> erasedMedia = List.of(
        upload(erased, secret(1)), upload(erased, secret(2)), upload(erased, secret(3)));
    String otherMedia = upload(other, bytes("not erased"));
    String otherKey = keyEndingWith(otherMedia);
    List<String> erasedKeys = erasedMedia.stream().map(this::keyEndingWith).toList();
    String erasedUnfinished = startUnfinishedUpload(erased, secret(4));
    String otherUnfinished = startUnfinishedUpload(other, bytes("still uploading"));
    assertEquals(List.of(erasedUnfinished, otherUnfinished).stream().sorted().toList(), unfinishedUploadKeys());
    assertEquals(4, filesHolding(SECRET_MARK).size(), "three objects and a part of theirs on disk");

    assertEquals(3, media.eraseUploads(erased).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));

    // Listing the whole bucket: nothing of theirs, everything of the other user's.
    assertEquals(List.of(otherKey), objectKeys());
    assertEquals(List.of(otherUnfinished), unfinishedUploadKeys());
    for (String key : erasedKeys) {
      assertThrows(NoSuchKeyException.class, () -> bucket.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)));
    }
    assertEquals(List.of(), filesHolding(SECRET_MARK), "no bytes of theirs left on the store's disk");
    assertArrayEquals(bytes("not erased"), download(other, otherMedia).value());

    assertEquals(0, media.eraseUploads(erased).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS),
        "a repeat finds nothing left, and succeeds");
    for (String mediaId : erasedMedia) {
      assertEquals(Outcome.Reason.NOT_FOUND, download(erased, mediaId).reason());
    }
  }

  @Test
  void erasingAnUploadersMediaDeletesTheirRecordsEventsAndSnapshotsIncluded() throws Exception {
    String erased = "alice";
    // Recorded by an entity that snapshots every two events, so that the record is in a snapshot too.
    MediaSettings settings = MediaSettings.from(harness.config);
    MediaSettings snapshotting = new MediaSettings(settings.maxBytes(), settings.maxConcurrentUploads(),
        settings.maxStoringUploads(), settings.diskReserve(), settings.maxUploadsPerUser(), settings.maxConcurrentDownloads(),
        settings.maxDownloadsPerUser(), settings.uploadGrace(), settings.minUploadRate(), settings.maxConversations(), settings.passivateAfterIdle(), 2, settings.bucket(),
        settings.uploadDir());
    String shared = MediaUrls.newId();
    entities.put(shared, harness.testKit.spawn(MediaActor.create(shared, snapshotting, harness.clock)));
    bucket.putObject(b -> b.bucket(BUCKET).key(MediaKeys.objectKey(erased, shared)), RequestBody.fromBytes(secret(1)));
    register(shared, erased, secret(1).length, MediaKeys.objectKey(erased, shared));
    for (String conversationId : List.of("d:alice:bob", "g.climbing")) {
      TestProbe<Outcome<MediaActor.Media>> reply = harness.testKit.createTestProbe();
      entities.get(shared).tell(new MediaActor.Share(conversationId, reply.ref()));
      assertTrue(reply.receiveMessage(WAIT).isOk());
    }
    String unsent = upload(erased, secret(2));
    String others = upload("bob", bytes("bob's"));
    PersistenceTestKit journal = PersistenceTestKit.create(harness.testKit.system());
    SnapshotTestKit snapshots = SnapshotTestKit.create(harness.testKit.system());
    String sharedRecord = MediaActor.persistenceId(shared).id();
    assertEquals(3, journal.persistedInStorage(sharedRecord).size());
    assertFalse(snapshots.persistedInStorage(sharedRecord).isEmpty(), "the test snapshots the record");

    assertEquals(2, media.eraseUploads(erased).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));

    for (String mediaId : List.of(shared, unsent)) {
      String record = MediaActor.persistenceId(mediaId).id();
      assertEquals(List.of(), journal.persistedInStorage(record), "no event names her or where it was sent");
      assertEquals(List.of(), snapshots.persistedInStorage(record), "nor any snapshot");
      assertEquals(Outcome.Reason.NOT_FOUND, record(mediaId).reason(), "the entity forgot it too");
    }
    assertEquals("bob", record(others).value().uploaderId());
    assertFalse(journal.persistedInStorage(MediaActor.persistenceId(others).id()).isEmpty());

    // Restarted, the erased record stays erased; asked again, it is harmless.
    ActorRef<MediaActor.Command> old = entities.remove(shared);
    old.tell(MediaActor.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(old, WAIT);
    assertEquals(Outcome.Reason.NOT_FOUND, record(shared).reason());
    TestProbe<Outcome<Done>> again = harness.testKit.createTestProbe();
    entities.get(shared).tell(new MediaActor.Erase(again.ref()));
    assertTrue(again.receiveMessage(WAIT).isOk());
  }

  /** The record of {@code mediaId} as its entity holds it now. */
  private Outcome<MediaActor.Media> record(String mediaId) {
    TestProbe<Outcome<MediaActor.Media>> reply = harness.testKit.createTestProbe();
    entities.computeIfAbsent(mediaId, id -> harness.testKit.spawn(
            MediaActor.create(id, MediaSettings.from(harness.config), harness.clock)))
        .tell(new MediaActor.Get(reply.ref()));
    return reply.receiveMessage(WAIT);
  }

  @Test
  void anErasureThatCannotListTheBucketFails() {
    bucket.deleteBucket(b -> b.bucket(BUCKET));
    var failure = assertThrows(ExecutionException.class,
        () -> media.eraseUploads("alice").toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertTrue(failure.getCause().toString().contains("NoSuchBucket"), failure.getCause().toString());
  }

  @Test
  void anUploadNeverSentIsDeletedByTheSweepAndOneSentIsKept() throws Exception {
    String unsent = upload("alice", bytes("never sent"));
    String sent = upload("alice", bytes("sent"));
    assertTrue(share("alice", sent).isOk());
    String unsentKey = keyEndingWith(unsent);
    String sentKey = keyEndingWith(sent);

    harness.testKit.spawn(UnsentMediaSweep.create(this::entity, MediaSettings.from(harness.config),
        new UnsentMediaSettings(Duration.ofSeconds(1), Duration.ofMillis(200)), Duration.ofSeconds(5),
        java.time.Clock.systemUTC())); // S3's clock: the objects' times are real
    harness.testKit.createTestProbe().awaitAssert(WAIT, () -> {
      assertFalse(objectKeys().contains(unsentKey), "deleted from the bucket");
      return null;
    });
    assertTrue(objectKeys().contains(sentKey), "a sent upload stays");
    assertArrayEquals(bytes("sent"), download("alice", sent).value());
    assertEquals(Outcome.Reason.NOT_FOUND, download("alice", unsent).reason());
    assertEquals(Outcome.Reason.NOT_FOUND, share("alice", unsent).reason(), "too late to send it");
  }

  // ----------------------------------------------------------------------------------- helpers

  /** Grant-then-send to alice and bob's chat, the chat saying the sender is a member. */
  private Outcome<io.parley.cluster.Done> share(String senderId, String mediaId) throws Exception {
    String chat = "d:alice:bob";
    CompletionStage<Outcome<io.parley.cluster.Done>> shared = media.shareBeforeSend(senderId, mediaId, chat);
    var asked = harness.conversationProbe(chat).expectMessageClass(io.parley.conversation.ConversationActor.GetInfo.class);
    asked.replyTo().tell(Outcome.ok(new io.parley.conversation.ConversationInfo(chat, null, List.of("alice", "bob"), 0,
        null)));
    return shared.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private ActorRef<MediaActor.Command> entity(String mediaId) {
    return entities.computeIfAbsent(mediaId, id -> harness.testKit.spawn(
        MediaActor.create(id, MediaSettings.from(harness.config), harness.clock)));
  }

  private static byte[] secret(int n) {
    return bytes(SECRET_MARK + n);
  }

  /** A multipart upload with one part stored and not completed, as an upload under way; its key. */
  private String startUnfinishedUpload(String uploaderId, byte[] part) {
    String key = MediaKeys.objectKey(uploaderId, MediaUrls.newId());
    String uploadId = bucket.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
    bucket.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(1), RequestBody.fromBytes(part));
    return key;
  }

  private List<String> unfinishedUploadKeys() {
    return bucket.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().stream()
        .map(MultipartUpload::key).sorted().toList();
  }

  /** The files under the store's data directory whose content holds {@code mark}. */
  private List<Path> filesHolding(String mark) throws IOException {
    try (Stream<Path> files = Files.walk(temp.resolve("s3"))) {
      return files.filter(Files::isRegularFile)
          .filter(file -> new String(readAll(file), StandardCharsets.ISO_8859_1).contains(mark))
          .toList();
    }
  }

  private static byte[] readAll(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }


  @Test
  void aDownloadReadInChunksComesBackWholeAtEveryChunkBoundary() throws Exception {
    int chunk = MediaObjects.CHUNK_BYTES;
    for (int size : new int[] {1, chunk - 1, chunk, chunk + 1, 3 * chunk + 7}) {
      byte[] content = new byte[size];
      new java.util.Random(size).nextBytes(content);
      String mediaId = upload("alice", content);
      Outcome<byte[]> downloaded = download("alice", mediaId);
      assertTrue(downloaded.isOk(), downloaded.toString());
      assertArrayEquals(content, downloaded.value(), size + " bytes");
    }
  }

  @Test
  void anUploadThatCouldEatIntoTheDiskReserveIsRefusedCountingThoseInProgressAtTheirLargest() throws Exception {
    long maxBytes = 64L * 1024 * 1024;
    Path dir = MediaSettings.from(harness.config).uploadDir();
    Files.createDirectories(dir);
    long usable = Files.getFileStore(dir).getUsableSpace();
    // Room for one upload at its largest, with 32 MiB to spare either way (the disk is shared).
    long reserve = usable - maxBytes * 3 / 2;
    MediaSettings tight = MediaSettings.from(ConfigFactory.parseString(
        "parley.media { max-bytes = " + maxBytes + ", disk-reserve = " + reserve + " }").withFallback(harness.config));
    media = new MediaService(this::entity, harness, tight, Duration.ofSeconds(5), harness.testKit.system());

    UnfinishedUpload first = beginUpload("alice");
    Outcome<MediaService.Stored> second = media.upload("bob", ContentTypes.APPLICATION_OCTET_STREAM,
            OptionalLong.of(3), false, Source.single(ByteString.fromArray(bytes("abc"))))
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(Outcome.Reason.UNAVAILABLE, second.reason(), second.toString());
    assertEquals("this node is short of disk space for uploads; retry later", second.message());
    assertTrue(first.end(bytes("the first had room")).isOk(), "the one in progress goes on");
    assertEquals(1, objectKeys().size(), "only the first is stored: " + objectKeys());
    assertEquals(List.of(), uploadFiles(tight));
  }

  @Test
  void oneUserHoldsAtMostTheirOwnUploadSlotsOfTheNode() throws Exception {
    int perUser = MediaSettings.from(harness.config).maxUploadsPerUser();
    List<UnfinishedUpload> running = new ArrayList<>();
    for (int i = 0; i < perUser; i++) {
      running.add(beginUpload("mallory")); // holds its slot until its body ends
    }
    Outcome<MediaService.Stored> refused = media.upload("mallory", ContentTypes.APPLICATION_OCTET_STREAM,
            OptionalLong.of(1), false, Source.single(ByteString.fromArray(bytes("x"))))
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(Outcome.Reason.UNAVAILABLE, refused.reason(), "a further upload of the same user waits its turn");
    assertTrue(refused.message().contains("finish one first"), refused.message());
    upload("alice", bytes("another user is not held up")); // the node's other slots are free
    assertTrue(running.get(0).end(bytes("done")).isOk());
    upload("mallory", bytes("a slot came back"));
    running.forEach(upload -> upload.body().complete(Optional.empty()));
  }

  @Test
  void slowUploadsOfManyUsersHoldFilesNotTheNodesTurnsToStore() throws Exception {
    MediaSettings settings = MediaSettings.from(harness.config);
    // More users than the uploads written to the bucket at once, each with a body not yet ended.
    int slow = settings.maxStoringUploads() + 4;
    List<UnfinishedUpload> running = new ArrayList<>();
    for (int i = 0; i < slow; i++) {
      running.add(beginUpload("slow-" + i));
    }
    awaitUploadFiles(settings, slow);
    assertTrue(running.stream().noneMatch(upload -> upload.outcome().toCompletableFuture().isDone()),
        "every slow upload was taken: " + running);
    upload("alice", bytes("not held up by the slow ones"));

    for (int i = 0; i < slow; i++) {
      Outcome<MediaService.Stored> stored = running.get(i).end(bytes("body " + i));
      assertTrue(stored.isOk(), stored.toString());
      assertArrayEquals(bytes("body " + i), download("slow-" + i, stored.value().mediaId()).value(), "upload " + i);
    }
    awaitUploadFiles(settings, 0);
  }

  @Test
  void anUploadsFileGoesWhetherItIsStoredRefusedOrAbandoned() throws Exception {
    MediaSettings settings = MediaSettings.from(harness.config);
    String stored = upload("alice", bytes("stored"));
    assertEquals(List.of(), uploadFiles(settings), "stored");

    Outcome<MediaService.Stored> tooLarge = media.upload("alice", ContentTypes.APPLICATION_OCTET_STREAM,
            OptionalLong.empty(), false, Source.single(ByteString.fromArray(new byte[(int) settings.maxBytes() + 1])))
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(Outcome.Reason.TOO_LARGE, tooLarge.reason(), tooLarge.toString());
    assertEquals(List.of(), uploadFiles(settings), "refused");

    Outcome<MediaService.Stored> abandoned = media.upload("alice", ContentTypes.APPLICATION_OCTET_STREAM,
            OptionalLong.empty(), false, Source.<ByteString>single(ByteString.fromArray(bytes("half")))
                .concat(Source.failed(new IllegalStateException("the client went away"))))
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(Outcome.Reason.UNAVAILABLE, abandoned.reason(), abandoned.toString());
    assertEquals(List.of(), uploadFiles(settings), "abandoned");
    assertEquals(List.of(keyEndingWith(stored)), objectKeys(), "of the three, only the stored one is in the bucket");
    assertEquals(List.of(), unfinishedUploadKeys());
  }

  /** An upload whose body has not ended; {@link #end} sends its last bytes and waits for its outcome. */
  private record UnfinishedUpload(
      CompletableFuture<Optional<ByteString>> body, CompletionStage<Outcome<MediaService.Stored>> outcome) {
    Outcome<MediaService.Stored> end(byte[] content) throws Exception {
      body.complete(Optional.of(ByteString.fromArray(content)));
      return outcome.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private UnfinishedUpload beginUpload(String uploaderId) {
    Pair<CompletableFuture<Optional<ByteString>>, Source<ByteString, org.apache.pekko.NotUsed>> body =
        Source.<ByteString>maybe().preMaterialize(harness.testKit.system());
    return new UnfinishedUpload(body.first(), media.upload(uploaderId, ContentTypes.APPLICATION_OCTET_STREAM,
        OptionalLong.empty(), false, body.second()));
  }

  private List<Path> uploadFiles(MediaSettings settings) throws IOException {
    try (Stream<Path> files = Files.list(settings.uploadDir())) {
      return files.toList();
    }
  }

  private void awaitUploadFiles(MediaSettings settings, int count) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (uploadFiles(settings).size() != count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + count + " upload files: " + uploadFiles(settings));
      }
      Thread.sleep(20); // the directory is polled: there is nothing to subscribe to
    }
  }

  private static byte[] bytes(String content) {
    return content.getBytes(StandardCharsets.UTF_8);
  }

  private String upload(String uploaderId, byte[] content) throws Exception {
    Outcome<MediaService.Stored> stored = media.upload(uploaderId, ContentTypes.APPLICATION_OCTET_STREAM,
            OptionalLong.of(content.length), false, Source.single(ByteString.fromArray(content)))
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertTrue(stored.isOk(), stored.toString());
    return stored.value().mediaId();
  }

  /** Records media as MediaService would, with the object put there by the test. */
  private void register(String mediaId, String uploaderId, long size, String objectKey) {
    TestProbe<Outcome<MediaActor.Media>> reply = harness.testKit.createTestProbe();
    entity(mediaId).tell(new MediaActor.Register(uploaderId, "application/octet-stream", size, objectKey, reply.ref()));
    assertTrue(reply.receiveMessage(WAIT).isOk());
  }

  /** The media's bytes as {@code userId} downloads them, or the refusal. */
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
    return bucket.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream()
        .map(S3Object::key).sorted().toList();
  }

  /** The one object key of the bucket for {@code mediaId}. */
  private String keyEndingWith(String mediaId) {
    List<String> keys = objectKeys().stream().filter(key -> key.endsWith("/" + mediaId)).toList();
    assertEquals(1, keys.size(), keys.toString());
    return keys.get(0);
  }
}
