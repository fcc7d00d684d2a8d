package io.parley.media;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.stream.connectors.s3.BucketVersioningResult;
import org.apache.pekko.stream.connectors.s3.javadsl.S3;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Media is plain bytes in the bucket, removed from it by deleting the objects (see
 * docs/privacy.md). A bucket that keeps versions keeps a deleted object's bytes as an old version:
 * an erased user's media would stay readable. So the bucket is asked once at start whether it
 * versions objects (now, or did once: "Suspended" keeps the old versions too); unless the
 * operator allowed it ({@code parley.media.versioned-bucket = allow}), such a bucket is refused.
 */
public final class VersionedBucket {
  private static final Logger log = LoggerFactory.getLogger(VersionedBucket.class);

  private VersionedBucket() {}

  /** Why the node must not start with {@code bucket}; empty if it may. */
  public static CompletionStage<Optional<String>> refusal(
      ClassicActorSystemProvider system, String bucket, boolean allowed) {
    return S3.getBucketVersioning(bucket, system).thenApply(versioning -> refusal(bucket, versioning, allowed));
  }

  static Optional<String> refusal(String bucket, BucketVersioningResult versioning, boolean allowed) {
    if (versioning.status().isEmpty()) {
      return Optional.empty();
    }
    if (allowed) {
      log.warn("The bucket {} keeps old versions of objects (versioning {}): erased media stays readable there"
          + " until a lifecycle rule expires noncurrent versions", bucket, versioning.status().get());
      return Optional.empty();
    }
    return Optional.of("the bucket " + bucket + " keeps old versions of objects (versioning "
        + versioning.status().get() + "), so erased media would stay readable: use a bucket without versioning,"
        + " or set PARLEY_MEDIA_VERSIONED_BUCKET=allow once a lifecycle rule expires noncurrent versions");
  }
}
