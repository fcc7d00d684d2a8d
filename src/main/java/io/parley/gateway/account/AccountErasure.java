package io.parley.gateway.account;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.api.ErrorCode;
import io.parley.auth.UserIds;
import io.parley.cluster.Asks;
import io.parley.cluster.Done;
import io.parley.gateway.WireFormat;
import io.parley.operations.Audit;
import io.parley.user.Erasure;
import io.parley.user.ErasureRegistry;
import io.parley.user.UserActor;
import io.parley.user.Users;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erasing an account, for {@code DELETE /v1/me} and the operator's {@code DELETE /admin/users/{id}}:
 * answered once the user's entity has recorded the request, 202 while the erasure runs, 200 once
 * it is done. Asking again is harmless. The request is first recorded in the {@link ErasureRegistry}
 * (and forgotten there once the entity answers done), so that an erasure cut short by a crash is
 * resumed even if nobody asks again.
 */
public final class AccountErasure {
  private static final Logger log = LoggerFactory.getLogger(AccountErasure.class);

  private final Users users;
  private final ErasureRegistry registry;
  private final Duration askTimeout;
  private final ActorSystem<?> system;

  public AccountErasure(Users users, ErasureRegistry registry, Duration askTimeout, ActorSystem<?> system) {
    this.users = users;
    this.registry = registry;
    this.askTimeout = askTimeout;
    this.system = system;
  }

  public CompletionStage<HttpResponse> erase(String userId) {
    if (!UserIds.isValid(userId)) {
      // The operator's route takes the id from the path as it comes: one no user can have is no erasure.
      ObjectNode refused = WireFormat.JSON.createObjectNode().put("code", ErrorCode.BAD_REQUEST.wire)
          .put("message", "a user id is " + UserIds.GRAMMAR);
      return CompletableFuture.completedFuture(HttpResponse.create().withStatus(StatusCodes.BAD_REQUEST)
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, WireFormat.render(refused))));
    }
    // Recorded before the entity is asked: a crash right after the entity stored the request
    // still leaves a trace for the ErasureResumer.
    return registry.started(userId).thenCompose(recorded ->
        Asks.<UserActor.Command, Erasure.Status>ask(
                users.user(userId), UserActor.Erase::new, askTimeout, system.scheduler())
            .thenCompose(status -> status.done() ? forget(recorded).thenApply(forgotten -> status)
                : CompletableFuture.completedFuture(status)))
        .thenApply(status -> response(userId, status));
  }

  /** A record left behind costs the resumer one question later: no reason to fail the answer. */
  private CompletionStage<Done> forget(ErasureRegistry.Unfinished recorded) {
    return registry.finished(recorded).exceptionally(failure -> {
      // A digest, not the id: the log keeps no id of an erased account.
      log.warn("Could not forget the finished erasure of {}; the resumer will: {}", Audit.digest(recorded.userId()),
          failure.toString());
      return Done.INSTANCE;
    });
  }

  static HttpResponse response(String userId, Erasure.Status status) {
    ObjectNode body = WireFormat.JSON.createObjectNode()
        .put("user_id", userId)
        .put("erasure", status.done() ? "done" : "in_progress")
        .put("requested_ts", status.requestedTs());
    if (status.done()) {
      body.put("finished_ts", status.finishedTs());
    }
    return HttpResponse.create()
        .withStatus(status.done() ? StatusCodes.OK : StatusCodes.ACCEPTED)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, WireFormat.render(body)));
  }
}
