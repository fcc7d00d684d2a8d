package io.parley.operations;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.directives.RouteAdapter;
import org.apache.pekko.management.cluster.ClusterHttpManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettingsImpl;

/**
 * Pekko Management's cluster routes, in place of the provider it registers itself: reads as they
 * are, every write (Leave, Down, shard-region changes) only with the admin credential and
 * recorded in the audit trail.
 */
public final class GuardedClusterManagement extends AllDirectives implements ManagementRouteProvider {
  private final ClusterHttpManagementRouteProvider cluster;
  private final AdminCredential credential;

  public GuardedClusterManagement(ExtendedActorSystem system) {
    this.cluster = ClusterHttpManagementRouteProvider.get(system);
    this.credential = AdminCredential.from(system.settings().config());
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    if (!(settings instanceof ManagementRouteProviderSettingsImpl impl)) {
      throw new IllegalStateException("pekko-management passed settings of " + settings.getClass()
          + "; Parley wraps its cluster routes for 1.1.x only (docs/operations.md)");
    }
    Route routes = RouteAdapter.asJava(cluster.routes(impl.asScala()));
    if (settings.readOnly()) {
      return routes; // Pekko then serves no writes at all
    }
    return pathPrefixTest("cluster", () -> extractRequest(request -> {
      boolean read = request.method().equals(HttpMethods.GET) || request.method().equals(HttpMethods.HEAD);
      if (read) {
        return routes;
      }
      String action = request.method().value() + " " + request.getUri().path();
      return optionalHeaderValueByName("Authorization", authorization -> {
        if (!credential.accepts(authorization)) {
          Audit.record("unauthenticated", action, "cluster", "refused");
          return complete(StatusCodes.UNAUTHORIZED, "the management port's write routes need the admin token "
              + "(Authorization: Bearer …, PARLEY_MANAGEMENT_ADMIN_TOKEN)");
        }
        return mapResponse(response -> {
          Audit.record("operator", action, "cluster", Integer.toString(response.status().intValue()));
          return response;
        }, () -> routes);
      });
    }));
  }
}
