package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.parley.cluster.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * What an upload may take of the node: room on its disk, a place among the user's own uploads,
 * turns to write to the bucket that slow uploads do not hold, and an upload file that goes however
 * the upload ends.
 */
class MediaUploadsTest extends MediaStorageFixture {
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
}
