package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * What deletes media from the bucket and from its records: an uploader's erasure (all of theirs,
 * snapshots and unfinished uploads included, and nothing of anyone else's) and the sweep of uploads
 * never sent.
 */
class MediaDeletionTest extends MediaStorageFixture {
  /** Marks the bytes of the user who is erased, to look for them on the store's disk. */
  static final String SECRET_MARK = "erase-me-";

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

  /** Grant-then-send to alice and bob's chat, the chat saying the sender is a member. */
  private Outcome<MediaService.Grant> share(String senderId, String mediaId) throws Exception {
    String chat = "d:alice:bob";
    CompletionStage<Outcome<MediaService.Grant>> shared = media.shareBeforeSend(senderId, mediaId, chat);
    var asked = harness.conversationProbe(chat).expectMessageClass(io.parley.conversation.ConversationActor.GetInfo.class);
    asked.replyTo().tell(Outcome.ok(new io.parley.conversation.ConversationInfo(chat, null, List.of("alice", "bob"), 0,
        null)));
    return shared.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
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
}
