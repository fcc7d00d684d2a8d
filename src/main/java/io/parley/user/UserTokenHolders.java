package io.parley.user;

import io.parley.cluster.Asks;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.push.PushToken;
import io.parley.push.TokenHolders;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/** Takes a push token from a user entity, for the token's owner record when the token moves on. */
public final class UserTokenHolders implements TokenHolders {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final Users users;
  private final ActorSystem<?> system;

  public UserTokenHolders(Users users, ActorSystem<?> system) {
    this.users = users;
    this.system = system;
  }

  @Override
  public CompletionStage<Done> unregister(String userId, PushToken token) {
    return Asks.<UserActor.Command, Outcome<Done>>ask(
            users.user(userId), replyTo -> new UserActor.UnregisterPushToken(token, replyTo), TIMEOUT, system.scheduler())
        .thenApply(reply -> Done.INSTANCE);
  }
}
