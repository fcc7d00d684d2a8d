package io.parley.user;

import io.parley.cluster.EventBatches;
import io.parley.testing.EntityHarness;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;

/**
 * Bob's user entity on Pekko's persistence testkit, whose next write a test has the journal refuse
 * (a store that cannot commit), and what it stored: what the tests of refused writes share.
 */
abstract class UserWriteFailureFixture {
  final EntityHarness harness = new EntityHarness("");
  final PersistenceTestKit journal = PersistenceTestKit.create(harness.testKit.system());

  @AfterEach
  void close() {
    harness.shutdown();
  }

  ActorRef<UserActor.Command> spawnBob() {
    return harness.testKit.spawn(UserActor.create("bob",
        harness.testKit.<ClusterSharding.ShardCommand>createTestProbe().ref(), harness, UserSettings.from(harness.config),
        push -> {}, userId -> CompletableFuture.completedFuture(null), harness.clock));
  }

  void refuseNextWrite() {
    journal.failNextPersisted(UserActor.persistenceId("bob").id(), new IllegalStateException("the store cannot commit"));
  }

  /** How many events of {@code eventClass} bob's entity stored, inside a batch or not. */
  long stored(Class<?> eventClass) {
    return journal.persistedInStorage(UserActor.persistenceId("bob").id()).stream()
        .flatMap(event -> EventBatches.unbatched(event).stream())
        .filter(eventClass::isInstance)
        .count();
  }
}
