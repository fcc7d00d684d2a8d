package io.parley.media;

import io.parley.cluster.Outcome;
import io.parley.limits.Places;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private final Places<String> places;
  private final ActorSystem<?> system;

  MediaDownloads(int maxConcurrent, int perUser, Duration unclaimedAfter, ActorSystem<?> system) {
    this.unclaimedAfter = unclaimedAfter;
    this.places = new Places<>(maxConcurrent, perUser);
    this.system = system;
  }

  /** A place for a download of {@code userId}'s, to be given back once; UNAVAILABLE if none is free. */
  Outcome<Runnable> take(String userId) {
    return places.takeOrRefuse(userId, "downloads");
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
    return places.held();
  }
}
