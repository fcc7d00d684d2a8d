package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.Dispatchers;

/**
 * Readiness check (Pekko Management): the node is not ready while the journal table cannot be
 * reached, so a load balancer stops sending it clients whose messages it could not store.
 */
public final class StorageHealthCheck implements Supplier<CompletionStage<Boolean>> {
  private final AmazonDynamoDB dynamo;
  private final String journalTable;
  private final Executor blocking;

  public StorageHealthCheck(ActorSystem system) {
    this.dynamo = StoreClient.get(system).dynamo();
    this.journalTable = system.settings().config().getString("dynamodb-journal.journal-table");
    // A blocking SDK call: on the pool made for that, not the common pool the node's futures share.
    this.blocking = system.dispatchers().lookup(Dispatchers.DefaultBlockingDispatcherId());
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return "ACTIVE".equals(dynamo.describeTable(journalTable).getTable().getTableStatus());
          } catch (RuntimeException unreachable) {
            return false;
          }
        },
        blocking);
  }
}
