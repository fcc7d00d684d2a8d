package io.parley.gateway;

import io.parley.cluster.Asks;
import io.parley.cluster.Outcome;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;

/**
 * Asks whose reply became an {@link Outcome}, so that a refused write can say so at once: an
 * entity on a node of an earlier version (during a rolling update) still answers the bare value,
 * which is taken as it is.
 */
public final class OutcomeAsks {
  private OutcomeAsks() {}

  /** The value, the bare one of an earlier version, or a refusal as an {@code ApiError} of its reason. */
  public static <C, T> CompletableFuture<T> ask(RecipientRef<C> entity, Class<T> bare,
      Function<ActorRef<Outcome<T>>, C> command, Duration timeout, Scheduler scheduler) {
    return Asks.<C, Object>ask(entity, replyTo -> command.apply(replyTo.narrow()), timeout, scheduler)
        .thenApply(reply -> bare.cast(reply instanceof Outcome<?> outcome ? ChatService.valueOrThrow(outcome) : reply));
  }
}
