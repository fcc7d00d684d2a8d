package io.parley.archive;

import io.parley.conversation.Segment;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.stream.connectors.s3.S3Attributes;
import org.apache.pekko.stream.connectors.s3.ListBucketResultContents;
import org.apache.pekko.stream.connectors.s3.S3Exception;
import org.apache.pekko.stream.connectors.s3.S3Settings;
import org.apache.pekko.stream.connectors.s3.javadsl.S3;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Segment objects in S3 (or s3proxy) through pekko-connectors-s3: whole-object put and get. */
public final class SegmentStore {
  private final String bucket;
  private final S3Settings settings;
  private final ActorSystem<?> system;

  public SegmentStore(String bucket, S3Settings settings, ActorSystem<?> system) {
    this.bucket = bucket;
    this.settings = settings;
    this.system = system;
  }

  public CompletionStage<Done> put(String key, byte[] bytes) {
    return S3.putObject(
            bucket,
            key,
            Source.single(ByteString.fromArray(bytes)),
            bytes.length,
            ContentTypes.create(MediaTypes.APPLICATION_X_GZIP))
        .withAttributes(S3Attributes.settings(settings))
        .runWith(Sink.head(), system)
        .thenApply(metadata -> Done.getInstance());
  }

  /** The object's bytes; fails if it is missing. */
  public CompletionStage<byte[]> get(String key) {
    return S3.getObject(bucket, key)
        .withAttributes(S3Attributes.settings(settings))
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system)
        .thenApply(ByteString::toArray);
  }

  /** Deletes every object whose key starts with {@code prefix} except {@code keep}; how many. */
  public CompletionStage<Integer> deleteAllBut(String prefix, String keep) {
    return S3.listBucket(bucket, Optional.of(prefix))
        .withAttributes(S3Attributes.settings(settings))
        .map(ListBucketResultContents::key)
        .filter(key -> !key.equals(keep))
        .mapAsync(1, key -> S3.deleteObject(bucket, key)
            .withAttributes(S3Attributes.settings(settings))
            .runWith(Sink.head(), system))
        .runWith(Sink.fold(0, (count, done) -> count + 1), system);
  }

  /** Whether a read failed because the object is not there (S3's 404). */
  static boolean isMissing(Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
    return cause instanceof S3Exception s3 && s3.statusCode().intValue() == 404;
  }
}
