package io.parley.media;

import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.limits.PlacesPerKey;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Downloads within the node's limits: how many are in progress on this node at once, and how many
 * of them one user's (each holds a few chunks of memory, see {@link MediaObjects#open}).
 * A place is given back when its bytes end, fail or are cancelled, or, if they are never streamed
 * (the response never went out), after a while ({@link #UNCLAIMED_AFTER} on a node).
 */
final class MediaDownloads {
  static final Duration UNCLAIMED_AFTER = Duration.ofSeconds(30);

  private final Duration unclaimedAfter;
  private final int maxConcurrent;
  private final int perUser;
  private final AtomicInteger downloading = new AtomicInteger();
  private final PlacesPerKey<String> byUser;
  private final ActorSystem<?> system;

  MediaDownloads(int maxConcurrent, int perUser, Duration unclaimedAfter, ActorSystem<?> system) {
    this.unclaimedAfter = unclaimedAfter;
    this.maxConcurrent = maxConcurrent;
    this.perUser = perUser;
    this.byUser = new PlacesPerKey<>(perUser);
    this.system = system;
  }

  /** A place for a download of {@code userId}'s, to be given back once; UNAVAILABLE if none is free. */
  Outcome<Runnable> take(String userId) {
    Optional<Runnable> userPlace = byUser.take(userId);
    if (userPlace.isEmpty()) {
      return Outcome.rejected(Reason.UNAVAILABLE,
          "you have " + perUser + " downloads in progress on this node; finish one first");
    }
    if (downloading.incrementAndGet() > maxConcurrent) {
      downloading.decrementAndGet();
      userPlace.get().run();
      return Outcome.rejected(Reason.UNAVAILABLE, "too many downloads in progress; retry later");
    }
    AtomicBoolean given = new AtomicBoolean();
    return Outcome.ok(() -> {
      if (given.compareAndSet(false, true)) {
        downloading.decrementAndGet();
        userPlace.get().run();
      }
    });
  }

  /** {@code bytes}, giving {@code place} back once they end, fail or are cancelled, or are never streamed. */
  Source<ByteString, NotUsed> holding(Source<ByteString, NotUsed> bytes, Runnable place) {
    AtomicBoolean streamed = new AtomicBoolean();
    system.scheduler().scheduleOnce(unclaimedAfter, () -> {
      if (!streamed.get()) {
        place.run();
      }
    }, system.executionContext());
    return Source.fromMaterializer((materializer, attributes) -> {
          streamed.set(true);
          return bytes.watchTermination((notUsed, done) -> {
            done.whenComplete((finished, failure) -> place.run());
            return notUsed;
          });
        })
        .mapMaterializedValue(ignored -> NotUsed.notUsed());
  }

  /** Downloads in progress on this node. */
  int inProgress() {
    return downloading.get();
  }
}
