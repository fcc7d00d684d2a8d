package io.parley.media;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.headers.ByteRange;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.connectors.s3.BucketAccess;
import org.apache.pekko.stream.connectors.s3.ListBucketResultContents;
import org.apache.pekko.stream.connectors.s3.MetaHeaders;
import org.apache.pekko.stream.connectors.s3.MultipartUploadResult;
import org.apache.pekko.stream.connectors.s3.S3Exception;
import org.apache.pekko.stream.connectors.s3.S3Headers;
import org.apache.pekko.stream.connectors.s3.javadsl.S3;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.FutureConverters;

/** The media bucket: every S3 request for media objects goes through here. */
final class MediaObjects {
  private static final Logger log = LoggerFactory.getLogger(MediaObjects.class);

  /** S3's smallest part; an upload holds about three in memory (see {@link #upload}). */
  static final int PART_BYTES = 5 * 1024 * 1024;

  /** Deletions in flight at once when deleting by prefix: fast enough, and gentle on S3. */
  static final int DELETE_PARALLELISM = 4;

  /** How much of an object a download reads from the bucket at once. */
  static final int CHUNK_BYTES = 256 * 1024;

  private final String bucket;
  private final ActorSystem<?> system;

  MediaObjects(String bucket, ActorSystem<?> system) {
    this.bucket = bucket;
    this.system = system;
  }

  /** A multipart upload of {@code key}, tagged with its uploader. */
  Sink<ByteString, CompletionStage<MultipartUploadResult>> upload(
      String key, ContentType contentType, String uploaderId) {
    S3Headers headers = S3Headers.create().withMetaHeaders(MetaHeaders.create(Map.of("uploader", uploaderId)));
    // The Java DSL of connectors-s3 1.0.2 fixes the parallelism at 4 parts. One part at a time
    // bounds an upload's memory, whatever the size of the body, to about three parts: the one
    // being sent, its copy made for the request signature, and the next one filling up.
    return org.apache.pekko.stream.connectors.s3.scaladsl.S3
        .multipartUploadWithHeaders(
            bucket, key, (org.apache.pekko.http.scaladsl.model.ContentType) contentType, PART_BYTES, 1, headers)
        .asJava()
        .mapMaterializedValue(FutureConverters::asJava);
  }

  /**
   * Aborts every unfinished multipart upload of {@code key} (there is at most one: keys are
   * unique). Failures are logged; a bucket lifecycle rule is the backstop.
   */
  CompletionStage<Done> abortUploads(String key) {
    return S3.listMultipartUpload(bucket, Optional.of(key))
        .filter(upload -> upload.getKey().equals(key))
        .mapAsync(1, upload -> S3.deleteUpload(bucket, key, upload.getUploadId(), system, Attributes.none()))
        .runWith(Sink.ignore(), system)
        .exceptionally(failure -> {
          log.warn("Could not abort the multipart upload of {}: {}", key, failure.toString());
          return Done.done();
        });
  }

  /**
   * Deletes every object whose key starts with {@code prefix}; how many. Unfinished multipart
   * uploads there are aborted first, so that none completes into an object after the listing.
   * Any S3 failure fails the stage, some objects perhaps deleted: repeating it deletes the rest.
   */
  /** The objects whose keys start with {@code prefix}. */
  Source<ListBucketResultContents, NotUsed> list(String prefix) {
    return S3.listBucket(bucket, Optional.of(prefix)).filter(object -> object.getKey().startsWith(prefix));
  }

  CompletionStage<Integer> deleteAll(String prefix) {
    return abortAllUploads(prefix).thenCompose(aborted -> S3.listBucket(bucket, Optional.of(prefix))
        .map(ListBucketResultContents::getKey)
        .filter(key -> key.startsWith(prefix)) // should S3 ever ignore the prefix, never delete beyond it
        .mapAsyncUnordered(DELETE_PARALLELISM, this::delete)
        .runWith(Sink.fold(0, (count, deleted) -> count + 1), system));
  }

  private CompletionStage<Done> abortAllUploads(String prefix) {
    return S3.listMultipartUpload(bucket, Optional.of(prefix))
        .filter(upload -> upload.getKey().startsWith(prefix))
        .mapAsyncUnordered(DELETE_PARALLELISM, upload ->
            S3.deleteUpload(bucket, upload.getKey(), upload.getUploadId(), system, Attributes.none())
                // Aborted meanwhile (by the failed upload itself, or a concurrent erasure): done too.
                .handle((done, failure) -> {
                  if (failure == null || isS3Error(failure, "NoSuchUpload")) {
                    return Done.done();
                  }
                  throw rethrown(failure);
                }))
        .runWith(Sink.ignore(), system);
  }

  CompletionStage<Done> delete(String key) {
    return S3.deleteObject(bucket, key).runWith(Sink.ignore(), system);
  }

  /**
   * The object's {@code size} bytes, or empty if there is no such object (never stored, or
   * erased). They are read from the bucket {@link #CHUNK_BYTES} at a time, each range read whole
   * and its connection given back before it is sent on, the next read when it is wanted: a client
   * reading slowly holds a few chunks of memory, never one of the connections every node's S3
   * traffic shares. The first chunk is awaited so that a storage failure fails this stage, and is
   * an error response, not a response cut short.
   */
  CompletionStage<Optional<Source<ByteString, NotUsed>>> open(String key, long size) {
    return read(key, size, 0, size);
  }

  /** As {@link #open(String, long)}, the bytes of {@code span} alone: none before or after it is read. */
  CompletionStage<Optional<Source<ByteString, NotUsed>>> open(String key, long size, ByteSpan span) {
    return read(key, size, span.first(), span.last() + 1);
  }

  /** The bytes from {@code start} up to {@code end} (exclusive) of an object of {@code size} bytes. */
  private CompletionStage<Optional<Source<ByteString, NotUsed>>> read(String key, long size, long start, long end) {
    return chunk(key, start, end, size).handle((first, failure) -> {
      if (failure == null) {
        Source<ByteString, NotUsed> rest = Source.unfold(start + first.size(),
                from -> from < end ? Optional.of(Pair.create(Math.min(from + CHUNK_BYTES, end), from)) : Optional.empty())
            .mapAsync(1, from -> chunk(key, from, end, size));
        return Optional.of(Source.single(first).concat(rest));
      }
      // Only NoSuchKey: a missing bucket is a broken store, not media that is gone.
      if (isS3Error(failure, "NoSuchKey")) {
        return Optional.empty();
      }
      throw rethrown(failure);
    });
  }

  /** Whether there is an object under {@code key}: see {@link #size}. */
  CompletionStage<Boolean> exists(String key) {
    return size(key).thenApply(Optional::isPresent);
  }

  /**
   * The size of the object under {@code key}, empty if there is none, asked with S3's HEAD (none
   * of its bytes are read). A HEAD answer has no body to tell a missing bucket from a missing key,
   * so a 404 is checked against the bucket: no bucket (or none we may see) is a broken store, a
   * failure, as it is to {@link #open}.
   */
  CompletionStage<Optional<Long>> size(String key) {
    return S3.getObjectMetadata(bucket, key).runWith(Sink.head(), system).thenCompose(metadata -> metadata.isPresent()
        ? CompletableFuture.completedFuture(Optional.of(metadata.get().getContentLength()))
        : S3.checkIfBucketExists(bucket, system).thenApply(access -> {
          if (!access.equals(BucketAccess.accessGranted())) {
            throw new IllegalStateException("the media bucket " + bucket + " is missing or refused: " + access);
          }
          return Optional.<Long>empty();
        }));
  }

  /** The bytes from {@code from} up to the next chunk's start or {@code end}, read whole. */
  private CompletionStage<ByteString> chunk(String key, long from, long end, long size) {
    Source<ByteString, ?> bytes = size <= 0
        ? S3.getObject(bucket, key) // a record without a size: the whole object, as it is
        : S3.getObject(bucket, key, ByteRange.createSlice(from, Math.min(from + CHUNK_BYTES, end) - 1));
    return bytes.runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system);
  }

  /** Whether a request failed with S3's error {@code code} (NoSuchKey, NoSuchUpload, ...). */
  static boolean isS3Error(Throwable failure, String code) {
    return causeOf(failure) instanceof S3Exception s3 && code.equals(s3.code());
  }

  /** What failed a stage: the cause a dependent stage wraps in a {@link CompletionException}. */
  static Throwable causeOf(Throwable failure) {
    return failure instanceof CompletionException wrapped && wrapped.getCause() != null ? wrapped.getCause() : failure;
  }

  private static CompletionException rethrown(Throwable failure) {
    return failure instanceof CompletionException wrapped ? wrapped : new CompletionException(failure);
  }
}
