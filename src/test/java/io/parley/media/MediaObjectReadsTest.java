package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Outcome;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * How stored media is found and read back: where its object is looked for (keys of former versions
 * included), that a missing object is not found while a broken store is a failure, and that a
 * download comes back whole across the chunks it is read in.
 */
class MediaObjectReadsTest extends MediaStorageFixture {
  @Test
  void aDownloadOfMediaWhoseObjectIsGoneIsNotFound() throws Exception {
    String kept = upload("alice", bytes("kept"));
    String gone = upload("alice", bytes("gone"));
    String goneKey = keyEndingWith(gone);
    bucket.deleteObject(b -> b.bucket(BUCKET).key(goneKey));

    Outcome<byte[]> refused = download("alice", gone);
    assertEquals(Outcome.Reason.NOT_FOUND, refused.reason(), "not a failure, not unavailable");
    assertArrayEquals(bytes("kept"), download("alice", kept).value());
    // Described (HEAD) under the same rules, without reading the object.
    assertEquals(Outcome.Reason.NOT_FOUND, describe("alice", gone).reason());
    assertEquals(bytes("kept").length, describe("alice", kept).value().size());
    assertEquals(Outcome.Reason.NOT_FOUND, describe("bob", kept).reason(), "bob may not see it");
  }

  private Outcome<MediaActor.Media> describe(String userId, String mediaId) throws Exception {
    return media.describe(userId, mediaId).toCompletableFuture().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
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

  /** Records stored without a size (size 0) answer the object's real size, and ranges of it. */
  @Test
  void mediaRecordedWithoutASizeIsServedWithTheObjectsSize() throws Exception {
    String mediaId = MediaUrls.newId();
    bucket.putObject(b -> b.bucket(BUCKET).key(MediaKeys.objectKey("alice", mediaId)),
        RequestBody.fromBytes(bytes("sizeless")));
    register(mediaId, "alice", 0, MediaKeys.objectKey("alice", mediaId));

    MediaService.Download whole = media.open("alice", mediaId, java.util.Optional.empty())
        .toCompletableFuture().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).value();
    assertEquals(8, whole.media().size(), "the size the answer declares");
    assertArrayEquals(bytes("sizeless"), download("alice", mediaId).value());
    assertEquals(8, describe("alice", mediaId).value().size(), "HEAD's");
    assertArrayEquals(bytes("less"), download("alice", mediaId, RangeRequest.suffix(4)).value());
  }

  @Test
  void aBrokenStoreIsAFailureNotAMissingObject() throws Exception {
    String mediaId = upload("alice", bytes("picture"));
    String key = keyEndingWith(mediaId);
    bucket.deleteObject(b -> b.bucket(BUCKET).key(key));
    bucket.deleteBucket(b -> b.bucket(BUCKET));
    // S3 answers 404 here too (NoSuchBucket), but the store is broken, not the media gone:
    // unavailable, and the client retries. Described (HEAD) alike, and a range past the end.
    assertEquals(Outcome.Reason.UNAVAILABLE, download("alice", mediaId).reason());
    assertEquals(Outcome.Reason.UNAVAILABLE, describe("alice", mediaId).reason());
    assertEquals(Outcome.Reason.UNAVAILABLE, download("alice", mediaId, RangeRequest.suffix(0)).reason());
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
  void aRangeIsReadAloneAcrossTheChunksItSpans() throws Exception {
    int chunk = MediaObjects.CHUNK_BYTES;
    byte[] content = new byte[3 * chunk + 7];
    new java.util.Random(7).nextBytes(content);
    String mediaId = upload("alice", content);
    long[][] spans = {{0, 0}, {chunk - 1, chunk}, {5, 2 * chunk + 3}, {content.length - 10, content.length - 1}};
    for (long[] span : spans) {
      Outcome<byte[]> part = download("alice", mediaId,
          RangeRequest.from(span[0], java.util.OptionalLong.of(span[1])));
      assertTrue(part.isOk(), part.toString());
      assertArrayEquals(java.util.Arrays.copyOfRange(content, (int) span[0], (int) span[1] + 1), part.value(),
          span[0] + "-" + span[1]);
    }
    assertEquals(false, media.open("alice", mediaId, java.util.Optional.of(RangeRequest.suffix(0)))
        .toCompletableFuture().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).value().satisfiable());
    assertEquals(Outcome.Reason.NOT_FOUND, download("bob", mediaId, RangeRequest.suffix(1)).reason(),
        "bob may not see it");
  }
}
