package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.Dispatchers;

/**
 * Readiness check (Pekko Management): the node is not ready while the journal table cannot be
 * reached, or while the embedded store this node runs cannot commit (a full disk), so a load
 * balancer stops sending it clients whose messages it could not store.
 */
public final class StorageHealthCheck implements Supplier<CompletionStage<Boolean>> {
  /**
   * How long a failed commit of the embedded store keeps the node not ready. A commit in between
   * does not end it: on a nearly full disk small transactions commit between refused ones. Past
   * it, a quiet node is ready again, as it has no write that could tell it the disk has room.
   */
  static final Duration COMMIT_FAILURE_HOLDS = Duration.ofSeconds(30);

  private final AmazonDynamoDB dynamo;
  private final String journalTable;
  private final Supplier<Optional<EmbeddedDynamoDb>> embedded;
  private final Executor blocking;
  private final Duration commitFailureHolds;

  public StorageHealthCheck(ActorSystem system) {
    // A blocking SDK call: on the pool made for that, not the common pool the node's futures share.
    this(StoreClient.get(system).dynamo(), system.settings().config().getString("dynamodb-journal.journal-table"),
        system.settings().config().getString("dynamodb-journal.endpoint"),
        system.dispatchers().lookup(Dispatchers.DefaultBlockingDispatcherId()), COMMIT_FAILURE_HOLDS);
  }

  StorageHealthCheck(AmazonDynamoDB dynamo, String journalTable, String endpoint, Executor blocking,
      Duration commitFailureHolds) {
    this.dynamo = dynamo;
    this.journalTable = journalTable;
    this.embedded = () -> EmbeddedDynamoDb.running(endpoint);
    this.blocking = blocking;
    this.commitFailureHolds = commitFailureHolds;
  }

  @Override
  public CompletionStage<Boolean> get() {
    Optional<Duration> commitFailed = embedded.get().flatMap(EmbeddedDynamoDb::sinceCommitFailed);
    if (commitFailed.isPresent() && commitFailed.get().compareTo(commitFailureHolds) < 0) {
      return CompletableFuture.failedFuture(new IllegalStateException("the embedded store could not commit "
          + commitFailed.get().toSeconds() + " s ago, so it refuses writes (a full disk? see the log)"));
    }
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
