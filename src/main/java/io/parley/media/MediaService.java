package io.parley.media;

import io.parley.cluster.Asks;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.Conversations;
import io.parley.metrics.ParleyMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Media: uploads stored in the bucket ({@link MediaUploads}), downloads read out of it a chunk at
 * a time ({@link MediaObjects}) within the node's limits ({@link MediaDownloads}),
 * and who may see what. A media object may be fetched by its uploader and by the current members
 * of every conversation it was sent in; to anyone else it does not exist (404), whatever URL they
 * hold.
 */
public final class MediaService {
  private static final Logger log = LoggerFactory.getLogger(MediaService.class);

  public record Stored(String mediaId, MediaActor.Media media) {
    public String url() {
      return MediaUrls.url(mediaId);
    }
  }

  /**
   * What a download answers: the whole object ({@code part} empty), the part of it a range asked
   * for, or, when the range asked for none of its bytes, nothing ({@code satisfiable} false).
   */
  public record Download(MediaActor.Media media, Optional<ByteSpan> part, boolean satisfiable,
      Source<ByteString, NotUsed> bytes) {
    static Download unsatisfiable(MediaActor.Media media) {
      return new Download(media, Optional.empty(), false, Source.empty());
    }
  }

  private final Function<String, RecipientRef<MediaActor.Command>> mediaEntities;
  private final Conversations conversations;
  private final MediaSettings settings;
  private final Duration askTimeout;
  private final ActorSystem<?> system;
  private final MediaObjects objects;
  private final MediaUploads uploads;
  private final MediaDownloads downloads;
  private final MediaGrants grants;

  public MediaService(
      Function<String, RecipientRef<MediaActor.Command>> mediaEntities,
      Conversations conversations,
      MediaSettings settings,
      Duration askTimeout,
      ActorSystem<?> system) {
    this.mediaEntities = mediaEntities;
    this.conversations = conversations;
    this.settings = settings;
    this.askTimeout = askTimeout;
    this.system = system;
    this.objects = new MediaObjects(settings.bucket(), system);
    this.uploads = new MediaUploads(mediaEntities, settings, objects, askTimeout, system);
    this.grants = new MediaGrants(mediaEntities, conversations, this::maySee, askTimeout, system);
    this.downloads = new MediaDownloads(settings.maxConcurrentDownloads(), settings.maxDownloadsPerUser(),
        MediaDownloads.UNCLAIMED_AFTER, system);
    ParleyMetrics.gauge("parley.media.uploads", "Media uploads in progress on this node", uploads::inProgress);
    ParleyMetrics.gauge("parley.media.downloads", "Media downloads in progress on this node", downloads::inProgress);
  }

  /** See {@link MediaUploads#upload}. */
  public CompletionStage<Outcome<Stored>> upload(
      String uploaderId,
      ContentType contentType,
      OptionalLong declaredLength,
      boolean awaitsContinue,
      Source<ByteString, ?> body) {
    return uploads.upload(uploaderId, contentType, declaredLength, awaitsContinue, body);
  }

  // ---------------------------------------------------------------------------------- download

  /** The object's bytes for a user who may see it; NOT_FOUND for anyone else. */
  public CompletionStage<Outcome<Download>> open(String userId, String mediaId) {
    return open(userId, mediaId, Optional.empty());
  }

  /**
   * As {@link #open(String, String)}, only the bytes {@code range} asks for if it is given: those
   * alone are read from the bucket.
   */
  public CompletionStage<Outcome<Download>> open(String userId, String mediaId, Optional<RangeRequest> range) {
    if (!MediaUrls.isValidId(mediaId)) {
      return done(notFound(mediaId));
    }
    return accessible(userId, mediaId).thenCompose(outcome -> {
      if (!outcome.isOk()) {
        return done(Outcome.rejected(outcome.reason(), outcome.message()));
      }
      return unavailableIfFailed(mediaId, sized(mediaId, outcome.value())).thenCompose(sized -> !sized.isOk()
          ? done(Outcome.rejected(sized.reason(), sized.message()))
          : open(userId, mediaId, sized.value(), range));
    });
  }

  private CompletionStage<Outcome<Download>> open(
      String userId, String mediaId, MediaActor.Media media, Optional<RangeRequest> range) {
    Optional<ByteSpan> part = range.flatMap(wanted -> wanted.within(media.size()));
    if (range.isPresent() && part.isEmpty()) {
      // Told as HEAD would tell it: not_found if the object is gone, nothing of it read.
      return unavailableIfFailed(mediaId, anyStored(MediaKeys.storedKeys(mediaId, media)).thenApply(stored -> stored
          ? Outcome.ok(Download.unsatisfiable(media)) : notFound(mediaId)));
    }
    Outcome<Runnable> place = downloads.take(userId);
    if (!place.isOk()) {
      return done(Outcome.rejected(place.reason(), place.message()));
    }
    // No object behind the record (its uploader's media were erased): gone, for everyone.
    return unavailableIfFailed(mediaId, firstStored(MediaKeys.storedKeys(mediaId, media), media.size(), part)
        .whenComplete((bytes, failure) -> {
          if (failure != null || bytes.isEmpty()) {
            place.value().run();
          }
        })
        .thenApply(bytes -> bytes
            .<Outcome<Download>>map(found -> Outcome.ok(
                new Download(media, part, true, downloads.holding(found, place.value()))))
            .orElseGet(() -> notFound(mediaId))));
  }

  /**
   * What {@link #open} answers, without the bytes (for HEAD): the media for a user who may see it,
   * if its object is in the bucket; NOT_FOUND otherwise. It reads none of the object and takes no
   * download's place.
   */
  public CompletionStage<Outcome<MediaActor.Media>> describe(String userId, String mediaId) {
    if (!MediaUrls.isValidId(mediaId)) {
      return done(notFound(mediaId));
    }
    return accessible(userId, mediaId).thenCompose(outcome -> !outcome.isOk() ? done(outcome)
        : outcome.value().size() <= 0
            ? unavailableIfFailed(mediaId, sized(mediaId, outcome.value()))
            : unavailableIfFailed(mediaId, anyStored(MediaKeys.storedKeys(mediaId, outcome.value()))
                .thenApply(stored -> stored ? outcome : notFound(mediaId))));
  }

  /**
   * {@code media} with its object's size: a record stored without one (size 0, by an old version)
   * learns it from the bucket, so that the answer declares the right length and takes ranges.
   * NOT_FOUND if no object is behind it.
   */
  private CompletionStage<Outcome<MediaActor.Media>> sized(String mediaId, MediaActor.Media media) {
    if (media.size() > 0) {
      return done(Outcome.ok(media));
    }
    return firstSize(MediaKeys.storedKeys(mediaId, media)).thenApply(size -> size
        .map(bytes -> Outcome.ok(new MediaActor.Media(media.uploaderId(), media.contentType(), bytes,
            media.uploadedTs(), media.conversations(), media.objectKey())))
        .orElseGet(() -> notFound(mediaId)));
  }

  private CompletionStage<Optional<Long>> firstSize(List<String> keys) {
    if (keys.isEmpty()) {
      return done(Optional.empty());
    }
    return objects.size(keys.get(0)).thenCompose(size -> size.isPresent() ? done(size) : firstSize(keys.subList(1, keys.size())));
  }

  /**
   * A read of the bucket that failed (a missing bucket, S3 down or refusing): UNAVAILABLE, which
   * the client may retry, for GET and HEAD alike; never not_found, which says the media is gone.
   */
  private <T> CompletionStage<Outcome<T>> unavailableIfFailed(String mediaId, CompletionStage<Outcome<T>> read) {
    return read.exceptionally(failure -> {
      log.warn("Reading media {} from the bucket failed: {}", mediaId, MediaObjects.causeOf(failure).toString());
      return Outcome.rejected(Reason.UNAVAILABLE, "the media could not be read from storage now; retry");
    });
  }

  private CompletionStage<Boolean> anyStored(List<String> keys) {
    if (keys.isEmpty()) {
      return done(false);
    }
    return objects.exists(keys.get(0)).thenCompose(found -> found ? done(true) : anyStored(keys.subList(1, keys.size())));
  }

  /** The bytes (of {@code part}, if given) of the first of {@code keys} that is in the bucket; empty if none is. */
  private CompletionStage<Optional<Source<ByteString, NotUsed>>> firstStored(
      List<String> keys, long size, Optional<ByteSpan> part) {
    if (keys.isEmpty()) {
      return done(Optional.empty());
    }
    CompletionStage<Optional<Source<ByteString, NotUsed>>> read = part.isPresent()
        ? objects.open(keys.get(0), size, part.get())
        : objects.open(keys.get(0), size);
    return read.thenCompose(bytes ->
        bytes.isPresent() ? done(bytes) : firstStored(keys.subList(1, keys.size()), size, part));
  }

  // ----------------------------------------------------------------------------------- erasure

  /**
   * For the erasure of {@code uploaderId}'s account: deletes every media object they uploaded
   * (all under their prefix, see {@link MediaKeys}) and aborts their unfinished uploads.
   * Completes with how many objects were deleted. Idempotent: a repeat deletes what is left, 0
   * once all is gone. Any S3 failure fails the stage, perhaps after some deletions; the caller
   * retries.
   *
   * <p>The caller should stop the user's uploads first: one finishing after the listing is left
   * (a retry would find it). Media stored before the per-uploader layout, at
   * {@code media/<mediaId>}, is not found here. The media records stay; downloads of media whose
   * object is gone answer not_found.
   */
  /** An object a user uploaded, for their export. */
  public record Upload(String mediaUrl, long size, long uploadedTs) {}

  /** Media records an erasure deletes at once. */
  static final int RECORDS_ERASED_AT_ONCE = 8;

  /**
   * Every object {@code uploaderId} uploaded (and not erased), whether or not it was ever sent.
   * Objects stored before uploads were kept by uploader are not found (see {@link MediaKeys}).
   */
  public Source<Upload, NotUsed> uploads(String uploaderId) {
    String prefix = MediaKeys.uploaderPrefix(uploaderId);
    return objects.list(prefix).map(object -> new Upload(
        MediaUrls.url(object.getKey().substring(prefix.length())), object.getSize(),
        object.getLastModified().toEpochMilli()));
  }

  /**
   * Deletes every object {@code uploaderId} uploaded and, first, each one's record (its uploader
   * and conversations; see {@link MediaActor.Erase}), so that a failure half-way leaves the
   * objects to be listed again. Answers how many objects were deleted.
   */
  public CompletionStage<Integer> eraseUploads(String uploaderId) {
    String prefix = MediaKeys.uploaderPrefix(uploaderId);
    // The prefix goes to the log, not the id: the log keeps no id of an erased account.
    return objects.list(prefix)
        .mapAsyncUnordered(RECORDS_ERASED_AT_ONCE, object -> this.<MediaActor.Command, Done>ask(
                mediaEntities.apply(object.getKey().substring(prefix.length())), MediaActor.Erase::new)
            .thenApply(erased -> {
              if (!erased.isOk()) {
                throw new IllegalStateException("a media record could not be erased: " + erased.message());
              }
              return erased;
            }))
        .runWith(Sink.ignore(), system)
        .thenCompose(recordsErased -> objects.deleteAll(prefix))
        .whenComplete((deleted, failure) -> log.info("Erasure of the media under {}: {}",
            prefix, failure == null ? deleted + " objects deleted" : "failed, " + failure));
  }

  // ----------------------------------------------------------------------------------- sharing

  /**
   * A conversation's grant of a media object, pending the send that carries it; {@link #none()}
   * when there was nothing to grant (it was sent there before).
   */
  public record Grant(String mediaId, String conversationId) {
    public static Grant none() {
      return new Grant(null, null);
    }
  }

  /**
   * Grant-then-send: before {@code senderId} sends the media to {@code conversationId}, checks
   * that they are a member of it and may see the media themselves, and grants the conversation's
   * members access, pending the send ({@link #settle}). Refusals: the conversation's own (not a
   * member, no such group, FORBIDDEN to a plain member of an announcement channel), or NOT_FOUND
   * for media the sender may not see.
   */
  public CompletionStage<Outcome<Grant>> shareBeforeSend(String senderId, String mediaId, String conversationId) {
    return grants.shareBeforeSend(senderId, mediaId, conversationId);
  }

  /**
   * The send of {@code grant} was answered: {@code stored} a new message (the grant is kept for
   * good), or not, a repeat of a client_msg_id stored before (the grant is withdrawn unless
   * another send of the media there holds it). Never fails.
   */
  public CompletionStage<Void> settle(Grant grant, boolean stored) {
    return grants.settle(grant, stored);
  }

  // ------------------------------------------------------------------------------------ access

  private CompletionStage<Outcome<MediaActor.Media>> accessible(String userId, String mediaId) {
    return this.<MediaActor.Command, MediaActor.Media>ask(mediaEntities.apply(mediaId), MediaActor.Get::new)
        .thenCompose(found -> {
          if (!found.isOk()) {
            return done(notFound(mediaId));
          }
          return maySee(userId, found.value())
              .thenApply(allowed -> allowed ? found : notFound(mediaId));
        });
  }

  /** The uploader, or a current member of any conversation it was shared in. */
  private CompletionStage<Boolean> maySee(String userId, MediaActor.Media media) {
    if (media.uploaderId().equals(userId)) {
      return done(true);
    }
    return memberOfAny(userId, media.conversations());
  }

  /** Asks the conversations at once; true as soon as one says member. */
  private CompletionStage<Boolean> memberOfAny(String userId, List<String> conversationIds) {
    if (conversationIds.isEmpty()) {
      return done(false);
    }
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    AtomicInteger pending = new AtomicInteger(conversationIds.size());
    AtomicReference<Throwable> failed = new AtomicReference<>();
    for (String conversationId : conversationIds) {
      membership(userId, conversationId).whenComplete((member, failure) -> {
        if (failure != null) {
          failed.compareAndSet(null, failure);
        } else if (member.isOk()) {
          result.complete(true);
        }
        if (pending.decrementAndGet() == 0) {
          if (failed.get() != null) {
            // Unknown is not "no": a conversation that did not answer may have said yes.
            result.completeExceptionally(failed.get());
          } else {
            result.complete(false);
          }
        }
      });
    }
    return result;
  }

  /**
   * OK when {@code userId} is a member of the conversation; else the conversation's refusal. The
   * conversation decides, for direct ones too: with ':' allowed in user ids, an id such as
   * {@code d:a:b:c} reads as two different pairs, and only its stored members say which it is.
   */
  private CompletionStage<Outcome<Done>> membership(String userId, String conversationId) {
    return this.<ConversationActor.Command, ConversationInfo>ask(
            conversations.conversation(conversationId), replyTo -> new ConversationActor.GetInfo(userId, replyTo))
        .thenApply(info -> info.map(known -> Done.INSTANCE));
  }

  static <T> Outcome<T> notFound(String mediaId) {
    return Outcome.rejected(Reason.NOT_FOUND,
        "no media " + mediaId + " that you may see: only its uploader and the members of a conversation"
            + " it was sent in may");
  }

  private <C, T> CompletionStage<Outcome<T>> ask(
      RecipientRef<C> entity, Function<ActorRef<Outcome<T>>, C> command) {
    return Asks.ask(entity, command::apply, askTimeout, system.scheduler());
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
