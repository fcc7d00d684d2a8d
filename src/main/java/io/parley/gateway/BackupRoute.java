package io.parley.gateway;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.parley.operations.AdminCredential;
import io.parley.operations.Audit;
import io.parley.storage.EmbeddedBackup;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.dispatch.Dispatchers;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * {@code POST /admin/backup} on the management port: an online copy of the node's embedded stores
 * ({@link EmbeddedBackup}), answered with the directory it is in. A write route: only with the
 * port's writes on and the admin token.
 */
public final class BackupRoute extends AllDirectives implements ManagementRouteProvider {
  private final ExtendedActorSystem system;
  private final AdminCredential credential;
  private final Executor blocking;

  public BackupRoute(ExtendedActorSystem system) {
    this.system = system;
    this.credential = AdminCredential.from(system.settings().config());
    this.blocking = system.dispatchers().lookup(Dispatchers.DefaultBlockingDispatcherId());
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path(segment("admin").slash("backup"), () -> post(() -> {
      if (settings.readOnly()) {
        return complete(StatusCodes.FORBIDDEN,
            "the management port is read-only: set PARLEY_MANAGEMENT_READ_ONLY=false to take backups");
      }
      return optionalHeaderValueByName("Authorization", authorization -> {
        if (!credential.accepts(authorization)) {
          Audit.record("unauthenticated", "backup", "embedded stores", "refused");
          return complete(StatusCodes.UNAUTHORIZED, "the management port's write routes need the admin token "
              + "(Authorization: Bearer …, PARLEY_MANAGEMENT_ADMIN_TOKEN)");
        }
        return completeWithFuture(CompletableFuture
            .supplyAsync(() -> EmbeddedBackup.take(system.settings().config(), Clock.systemUTC()), blocking)
            .handle((Path taken, Throwable failure) -> {
              Audit.record("operator", "backup", "embedded stores", failure == null ? "done" : "failed");
              if (failure == null) {
                return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
                    "{\"backup\":\"" + taken.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"}"));
              }
              Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
              return HttpResponse.create()
                  .withStatus(cause instanceof EmbeddedBackup.NoRoom ? StatusCodes.INSUFFICIENT_STORAGE
                      : cause instanceof EmbeddedBackup.InProgress ? StatusCodes.CONFLICT
                      : StatusCodes.INTERNAL_SERVER_ERROR)
                  .withEntity(cause.getMessage());
            }));
      });
    }));
  }
}
