package io.parley.media;

import io.parley.cluster.Asks;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Deletes uploads that were never sent: every {@link UnsentMediaSettings#sweepEvery()} it lists the
 * media objects stored more than {@link UnsentMediaSettings#expireAfter()} ago, asks each one's
 * {@link MediaActor} to expire it unless it was shared, and deletes the object if it did. The
 * entity decides, so that a share and an expiry never both win: media shared first is kept, and
 * once expired it cannot be shared (the send is refused, not sent with a dead link).
 *
 * <p>One per cluster (a singleton). Objects older than what a completed sweep looked at are not
 * asked about again while it runs; the sweep that starts on a node (at start-up, or when the
 * singleton moves) asks once about every object past the expiry. Each ask reads one media entity;
 * {@link #PARALLELISM} at a time.
 */
public final class UnsentMediaSweep {
  static final int PARALLELISM = 4;

  private enum Tick {
    INSTANCE
  }

  private record Swept(long cutoff, Integer deleted, Throwable failure) {}

  public static Behavior<Object> create(Function<String, RecipientRef<MediaActor.Command>> media,
      MediaSettings mediaSettings, UnsentMediaSettings settings, Duration askTimeout, Clock clock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.sweepEvery());
      return new UnsentMediaSweep(ctx, media, new MediaObjects(mediaSettings.bucket(), ctx.getSystem()), settings,
          askTimeout, clock).behavior();
    }));
  }

  private final ActorContext<Object> ctx;
  private final Function<String, RecipientRef<MediaActor.Command>> media;
  private final MediaObjects objects;
  private final UnsentMediaSettings settings;
  private final Duration askTimeout;
  private final Clock clock;
  /** Objects last modified before this were looked at by a completed sweep. */
  private long sweptBefore = Long.MIN_VALUE;
  private boolean sweeping;

  private UnsentMediaSweep(ActorContext<Object> ctx, Function<String, RecipientRef<MediaActor.Command>> media,
      MediaObjects objects, UnsentMediaSettings settings, Duration askTimeout, Clock clock) {
    this.ctx = ctx;
    this.media = media;
    this.objects = objects;
    this.settings = settings;
    this.askTimeout = askTimeout;
    this.clock = clock;
  }

  private Behavior<Object> behavior() {
    return Behaviors.receive(Object.class)
        .onMessage(Tick.class, tick -> {
          if (!sweeping) {
            sweep();
          }
          return Behaviors.same();
        })
        .onMessage(Swept.class, swept -> {
          sweeping = false;
          if (swept.failure() != null) {
            ctx.getLog().warn("Sweeping unsent media failed, retried at the next sweep: {}", swept.failure().toString());
          } else {
            sweptBefore = swept.cutoff();
            if (swept.deleted() > 0) {
              ctx.getLog().info("Unsent media: {} objects expired and deleted", swept.deleted());
            }
          }
          return Behaviors.same();
        })
        .build();
  }

  private void sweep() {
    sweeping = true;
    long cutoff = clock.millis() - settings.expireAfter().toMillis();
    long after = sweptBefore;
    CompletionStage<Integer> deleted = objects.list(MediaKeys.ROOT)
        .filter(object -> {
          long modified = object.getLastModified().toEpochMilli();
          return modified >= after && modified < cutoff;
        })
        .mapAsync(PARALLELISM, object -> expire(object.getKey()))
        .runWith(Sink.fold(0, (count, expired) -> expired ? count + 1 : count), ctx.getSystem());
    ctx.pipeToSelf(deleted, (count, failure) -> new Swept(cutoff, count, failure));
  }

  /** Whether the object at {@code key} was unsent, and is deleted now. */
  private CompletionStage<Boolean> expire(String key) {
    String mediaId = key.substring(key.lastIndexOf('/') + 1);
    if (!MediaUrls.isValidId(mediaId)) {
      return CompletableFuture.completedFuture(false); // not an object Parley names: not ours to delete
    }
    return Asks.<MediaActor.Command, Outcome<Done>>ask(media.apply(mediaId), MediaActor.ExpireIfUnsent::new,
            askTimeout, ctx.getSystem().scheduler())
        .thenCompose(outcome -> outcome.isOk()
            ? objects.delete(key).thenApply(done -> true)
            : CompletableFuture.completedFuture(false));
  }
}
