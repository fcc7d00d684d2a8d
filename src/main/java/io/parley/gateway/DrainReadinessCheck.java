package io.parley.gateway;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.CoordinatedShutdown;

/**
 * Readiness check (Pekko Management): the node is not ready from the moment it starts to shut
 * down, so a load balancer sends new clients elsewhere while it drains its own. The cluster's own
 * checks turn only when the node leaves, after the drain. Liveness is left alone: a draining node
 * must not be killed.
 */
public final class DrainReadinessCheck implements Supplier<CompletionStage<Boolean>> {
  private final CoordinatedShutdown shutdown;

  public DrainReadinessCheck(ActorSystem system) {
    this.shutdown = CoordinatedShutdown.get(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return shutdown.getShutdownReason()
        .<CompletionStage<Boolean>>map(reason -> CompletableFuture.failedFuture(
            new IllegalStateException("the node is shutting down and draining its clients")))
        .orElseGet(() -> CompletableFuture.completedFuture(true));
  }
}
