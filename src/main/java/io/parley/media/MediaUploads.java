package io.parley.media;

import io.parley.cluster.Asks;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.limits.MinimumRate;
import io.parley.limits.Places;
import io.parley.limits.SizeLimit;
import io.parley.limits.Turns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.connectors.s3.MultipartUploadResult;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads received into a file and then stored in the bucket, within the node's limits: the size
 * of one, how many are in progress on this node at once and how many of them one user's, how many
 * are written to the bucket at once (the heap they take), and the rate a body must keep up.
 */
final class MediaUploads {
  private static final Logger log = LoggerFactory.getLogger(MediaUploads.class);

  /** How much of a refused body is still read, so that the client gets the 413 (see SizeLimit). */
  static final long DRAIN_BYTES = 8L * 1024 * 1024;
  private static final long SHORT_OF_DISK_LOG_EVERY_NANOS = 60_000_000_000L;

  private final Function<String, RecipientRef<MediaActor.Command>> mediaEntities;
  private final MediaSettings settings;
  private final MediaObjects objects;
  private final Duration askTimeout;
  private final ActorSystem<?> system;
  private final UploadFiles files;
  /**
   * Uploads in progress, received or being stored, each holding a file of up to maxBytes; of those
   * at most maxUploadsPerUser one user's: one client cannot hold the node's places.
   */
  private final Places<String> uploading;
  /** When uploads were last refused for want of disk, logged once a minute at most. */
  private final AtomicLong lastShortOfDiskLog = new AtomicLong(System.nanoTime() - SHORT_OF_DISK_LOG_EVERY_NANOS);
  /** Uploads being written to the bucket: each holds about three parts of heap. */
  private final Turns storing;

  MediaUploads(Function<String, RecipientRef<MediaActor.Command>> mediaEntities, MediaSettings settings,
      MediaObjects objects, Duration askTimeout, ActorSystem<?> system) {
    this.mediaEntities = mediaEntities;
    this.settings = settings;
    this.objects = objects;
    this.askTimeout = askTimeout;
    this.system = system;
    this.uploading = new Places<>(settings.maxConcurrentUploads(), settings.maxUploadsPerUser());
    this.files = UploadFiles.in(settings.uploadDir());
    this.storing = new Turns(settings.maxStoringUploads(), settings.maxConcurrentUploads(), system);
  }

  /**
   * Receives {@code body} into a file, stores it in the bucket as a multipart upload when its turn
   * comes, then records it; the file goes in every case. A body over the limit (declared, or
   * counted while it arrives) is refused with {@code TOO_LARGE} and nothing reaches the bucket. So
   * is a body that falls behind the minimum rate ({@link MinimumRate}), with {@code BAD_REQUEST}.
   *
   * @param awaitsContinue the client sent {@code Expect: 100-continue}, so a body refused on its
   *     declared length is never sent and need not be read
   */
  CompletionStage<Outcome<MediaService.Stored>> upload(
      String uploaderId,
      ContentType contentType,
      OptionalLong declaredLength,
      boolean awaitsContinue,
      Source<ByteString, ?> body) {
    if (declaredLength.isPresent() && declaredLength.getAsLong() == 0) {
      return done(empty());
    }
    if (declaredLength.isPresent() && declaredLength.getAsLong() > settings.maxBytes()) {
      if (awaitsContinue || declaredLength.getAsLong() > settings.maxBytes() + DRAIN_BYTES) {
        return done(tooLarge());
      }
      // Read it (nowhere) so that the client, still sending, gets the answer.
      return body.limitWeighted(DRAIN_BYTES, bytes -> (long) bytes.size())
          .runWith(Sink.ignore(), system)
          .handle((drained, failure) -> tooLarge());
    }
    if (!roomOnDisk()) {
      return done(Outcome.rejected(Reason.UNAVAILABLE, "this node is short of disk space for uploads; retry later"));
    }
    Outcome<Runnable> place = uploading.takeOrRefuse(uploaderId, "uploads");
    if (!place.isOk()) {
      return done(Outcome.rejected(place.reason(), place.message()));
    }
    String mediaId = MediaUrls.newId();
    String key = MediaKeys.objectKey(uploaderId, mediaId);
    Path file = files.of(mediaId);
    AtomicLong size = new AtomicLong();
    Pair<CompletionStage<Boolean>, CompletionStage<IOResult>> receiving =
        body.map(bytes -> {
              size.addAndGet(bytes.size());
              return bytes;
            })
            .via(new MinimumRate(settings.uploadGrace(), settings.minUploadRate()))
            .viaMat(new SizeLimit(settings.maxBytes(), DRAIN_BYTES), Keep.right())
            .toMat(FileIO.toPath(file), Keep.both())
            .run(system);
    CompletionStage<Boolean> bodyRead = receiving.first();
    CompletionStage<Outcome<MediaService.Stored>> result = receiving.second()
        .<CompletionStage<Outcome<MediaService.Stored>>>handle((written, failure) -> {
          if (failure != null) {
            return bodyRead.thenApply(overLimit -> notReceived(key, overLimit, failure));
          }
          if (size.get() == 0) {
            // A body without a length that held nothing: no empty object is kept.
            return done(empty());
          }
          return storing.run(() -> store(file, key, contentType, uploaderId))
              .thenCompose(stored -> register(mediaId, key, uploaderId, contentType, size.get()))
              .exceptionally(storeFailure -> {
                log.warn("Upload of {} failed: {}", key, MediaObjects.causeOf(storeFailure).toString());
                return Outcome.rejected(Reason.UNAVAILABLE, "the media could not be stored; retry");
              });
        })
        .thenCompose(Function.identity());
    return result.whenComplete((outcome, failure) -> {
      files.delete(file);
      place.value().run();
    });
  }

  /**
   * Whether one more upload leaves the disk reserve free, counting every upload in progress at its
   * largest: files of uploads must never fill the disk the embedded store writes to.
   */
  private boolean roomOnDisk() {
    long needed = settings.diskReserve() + (uploading.held() + 1L) * settings.maxBytes();
    long usable = files.usableBytes();
    if (usable >= needed) {
      return true;
    }
    long now = System.nanoTime();
    long last = lastShortOfDiskLog.get();
    if (now - last > SHORT_OF_DISK_LOG_EVERY_NANOS && lastShortOfDiskLog.compareAndSet(last, now)) {
      log.warn("Uploads refused: {} bytes free in {}, and {} needed (PARLEY_MEDIA_DISK_RESERVE plus "
          + "PARLEY_MEDIA_MAX_BYTES for each upload in progress and the new one)", usable, settings.uploadDir(), needed);
    }
    return false;
  }

  /** Uploads in progress on this node: being received, waiting their turn or being stored. */
  int inProgress() {
    return uploading.held();
  }

  /** The body, whole on disk, into the bucket; an unfinished multipart upload is aborted. */
  private CompletionStage<MultipartUploadResult> store(Path file, String key, ContentType contentType, String uploaderId) {
    return FileIO.fromPath(file).runWith(objects.upload(key, contentType, uploaderId), system)
        .whenComplete((uploaded, failure) -> {
          if (failure != null) {
            objects.abortUploads(key);
          }
        });
  }

  /** Why a body did not arrive whole: too large, too slow, or the client or the disk failed. */
  private Outcome<MediaService.Stored> notReceived(String key, boolean overLimit, Throwable failure) {
    if (overLimit) {
      return tooLarge();
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof MinimumRate.TooSlow) {
        return tooSlow();
      }
    }
    // The client went away (then nobody reads this), or the upload's file could not be written.
    log.warn("Upload of {} was not received: {}", key, MediaObjects.causeOf(failure).toString());
    return Outcome.rejected(Reason.UNAVAILABLE, "the media could not be stored; retry");
  }

  private CompletionStage<Outcome<MediaService.Stored>> register(
      String mediaId, String key, String uploaderId, ContentType contentType, long size) {
    CompletionStage<Outcome<MediaActor.Media>> registered = Asks.ask(mediaEntities.apply(mediaId),
        replyTo -> new MediaActor.Register(uploaderId, contentType.toString(), size, key, replyTo),
        askTimeout, system.scheduler());
    return registered
        .thenApply(outcome -> outcome.map(media -> new MediaService.Stored(mediaId, media)))
        .whenComplete((outcome, failure) -> {
          if (failure != null || !outcome.isOk()) {
            // Not recorded, so nobody could ever fetch it: do not keep the object.
            objects.delete(key);
          } else {
            log.debug("Media {} stored: {} bytes", mediaId, size);
          }
        });
  }

  /** An upload without bytes is a client's mistake (a file not read), not media to send. */
  private static <T> Outcome<T> empty() {
    return Outcome.rejected(Reason.BAD_REQUEST, "the body is empty: an upload carries the media's bytes");
  }

  private <T> Outcome<T> tooSlow() {
    return Outcome.rejected(Reason.BAD_REQUEST, "the upload arrived slower than "
        + humanSize(settings.minUploadRate()) + " a second after its first " + settings.uploadGrace().toSeconds()
        + " s; nothing was kept");
  }

  private <T> Outcome<T> tooLarge() {
    return Outcome.rejected(Reason.TOO_LARGE,
        "media is at most " + settings.maxBytes() + " bytes (" + humanSize(settings.maxBytes()) + ")");
  }

  static String humanSize(long bytes) {
    if (bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + " MiB";
    }
    if (bytes % 1024 == 0) {
      return bytes / 1024 + " KiB";
    }
    return bytes + " bytes";
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
