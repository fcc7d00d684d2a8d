package io.parley.limits;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Runs jobs at most {@code atOnce} at a time; the others wait their turn, at most
 * {@code maxWaiting} of them (beyond that a job fails at once with {@link NoTurn}).
 */
public final class Turns {
  /** There were already {@code maxWaiting} jobs waiting. */
  public static final class NoTurn extends RuntimeException {
    NoTurn() {
      super("too many jobs waiting", null, false, false);
    }
  }

  private final BoundedSourceQueue<Job<?>> waiting;

  public Turns(int atOnce, int maxWaiting, ActorSystem<?> system) {
    this.waiting = Source.<Job<?>>queue(maxWaiting)
        .mapAsyncUnordered(atOnce, Job::run)
        .to(Sink.ignore())
        .run(system);
  }

  /** {@code job}'s outcome, once it has had its turn. */
  public <T> CompletionStage<T> run(Supplier<? extends CompletionStage<T>> job) {
    Job<T> queued = new Job<>(job, new CompletableFuture<>());
    QueueOfferResult offered = waiting.offer(queued);
    if (offered != QueueOfferResult.enqueued()) {
      queued.result.completeExceptionally(new NoTurn());
    }
    return queued.result;
  }

  private record Job<T>(Supplier<? extends CompletionStage<T>> work, CompletableFuture<T> result) {
    /** Never fails: the job's failure is its result's, so that the queue goes on. */
    CompletionStage<Done> run() {
      CompletionStage<T> started;
      try {
        started = work.get();
      } catch (RuntimeException e) {
        started = CompletableFuture.failedFuture(e);
      }
      return started.handle((value, failure) -> {
        if (failure != null) {
          result.completeExceptionally(failure);
        } else {
          result.complete(value);
        }
        return Done.done();
      });
    }
  }
}
