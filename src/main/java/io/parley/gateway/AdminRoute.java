package io.parley.gateway;

import io.parley.gateway.account.AccountErasure;
import io.parley.operations.Audit;
import io.parley.operations.AdminCredential;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.parley.storage.DynamoDbErasureRegistry;
import io.parley.storage.StoreClient;
import io.parley.user.ErasureRegistry;
import io.parley.user.UserActor;
import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.dispatch.Dispatchers;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * {@code DELETE /admin/users/{id}} on the management port: an operator erases an account, as
 * {@code DELETE /v1/me} would. Like Pekko Management's own write routes, it works only when the
 * port is not read-only ({@code PARLEY_MANAGEMENT_READ_ONLY=false}); the port has no
 * authentication, so that is the operator's explicit choice.
 */
public final class AdminRoute extends AllDirectives implements ManagementRouteProvider {
  private final AccountErasure erasure;
  private final AdminCredential credential;

  public AdminRoute(ExtendedActorSystem classic) {
    var system = Adapter.toTyped(classic);
    ClusterSharding sharding = ClusterSharding.get(system);
    Duration askTimeout = system.settings().config().getDuration("parley.gateway.ask-timeout");
    // Pekko Management builds this route from the actor system alone: the node's client through it.
    ErasureRegistry erasures = DynamoDbErasureRegistry.fromConfig(system.settings().config(),
        StoreClient.get(classic).dynamo(),
        system.classicSystem().dispatchers().lookup(Dispatchers.DefaultBlockingDispatcherId()), Clock.systemUTC());
    this.credential = AdminCredential.from(system.settings().config());
    this.erasure = new AccountErasure(
        userId -> sharding.entityRefFor(UserActor.TYPE_KEY, userId), erasures, askTimeout, system);
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path(segment("admin").slash("users").slash(segment()), userId -> delete(() -> {
      if (settings.readOnly()) {
        return complete(org.apache.pekko.http.javadsl.model.StatusCodes.FORBIDDEN,
            "the management port is read-only: set PARLEY_MANAGEMENT_READ_ONLY=false to erase accounts");
      }
      return optionalHeaderValueByName("Authorization", authorization -> {
        if (!credential.accepts(authorization)) {
          Audit.record("unauthenticated", "erase account", Audit.digest(userId), "refused");
          return complete(org.apache.pekko.http.javadsl.model.StatusCodes.UNAUTHORIZED,
              "the management port's write routes need the admin token (Authorization: Bearer …, "
                  + "PARLEY_MANAGEMENT_ADMIN_TOKEN)");
        }
        return completeWithFuture(erasure.erase(userId).thenApply(response -> {
          Audit.record("operator", "erase account", Audit.digest(userId), Integer.toString(response.status().intValue()));
          return response;
        }));
      });
    }));
  }
}
