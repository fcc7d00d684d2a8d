package io.parley.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.user.Erasure;
import io.parley.user.UserActor;
import io.parley.user.Users;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * Erasing an account, for {@code DELETE /v1/me} and the operator's {@code DELETE /admin/users/{id}}:
 * answered once the user's entity has recorded the request, 202 while the erasure runs, 200 once
 * it is done. Asking again is harmless.
 */
final class AccountErasure {
  private final Users users;
  private final Duration askTimeout;
  private final ActorSystem<?> system;

  AccountErasure(Users users, Duration askTimeout, ActorSystem<?> system) {
    this.users = users;
    this.askTimeout = askTimeout;
    this.system = system;
  }

  CompletionStage<HttpResponse> erase(String userId) {
    return AskPattern.<UserActor.Command, Erasure.Status>ask(
            users.user(userId), UserActor.Erase::new, askTimeout, system.scheduler())
        .thenApply(status -> response(userId, status));
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
