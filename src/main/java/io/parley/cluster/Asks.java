package io.parley.cluster;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;

/**
 * Pekko's ask, whose answer goes on on the thread that answered it. Pekko's Java ask returns
 * Scala's converted future, whose {@code thenApply}, {@code whenComplete} and the like run
 * asynchronously on the JDK's common pool: a thread woken, and a hand-off, per answer. The
 * answer's continuations here are short (a reply rendered, a frame queued), so they run where
 * the answer is given.
 */
public final class Asks {
  private Asks() {}

  public static <Q, R> CompletableFuture<R> ask(
      RecipientRef<Q> target, Function<ActorRef<R>, Q> message, Duration timeout, Scheduler scheduler) {
    return onAnsweringThread(AskPattern.ask(target, message, timeout, scheduler));
  }

  /** {@code answer} as a future whose continuations run on the thread that completes it. */
  static <R> CompletableFuture<R> onAnsweringThread(CompletionStage<R> answer) {
    CompletableFuture<R> plain = new CompletableFuture<>();
    // The Async variant with an executor is the one Scala's future does not turn into the common pool's.
    answer.whenCompleteAsync((value, failure) -> {
      if (failure == null) {
        plain.complete(value);
      } else {
        plain.completeExceptionally(failure);
      }
    }, Runnable::run);
    return plain;
  }
}
