package io.parley.push;

import io.parley.cluster.Done;
import java.util.concurrent.CompletionStage;

/**
 * The users a push token is registered with. A token that moves to another user is taken from
 * its former ones through this; the user side implements it, so push does not depend on users.
 */
@FunctionalInterface
public interface TokenHolders {
  /** Completes once {@code userId} no longer holds {@code token}; fails if the user did not answer. */
  CompletionStage<Done> unregister(String userId, PushToken token);
}
