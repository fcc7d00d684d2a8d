package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.parley.metrics.ParleyMetrics;
import io.parley.testing.ParleyProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recoveries through the journal's client ({@link RecoveryReads}), against the embedded store: the
 * newest partition is queried once, and a recovery replays exactly the events stored, in order,
 * also when another node (here: a second actor system) wrote them since this one last recovered
 * the entity.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecoveryReadsIT {
  /** Persists the numbers it is sent; its state is an order-sensitive hash of all of them. */
  interface Command {}

  record Append(int value, ActorRef<Long> replyTo) implements Command {}

  record Get(ActorRef<Long> replyTo) implements Command {}

  static Behavior<Command> entity(String id) {
    return entity(id, 0, null);
  }

  /** Snapshots every {@code snapshotEvery} events, telling {@code snapshots} each one's sequence number. */
  static Behavior<Command> entity(String id, int snapshotEvery, ActorRef<Long> snapshots) {
    return new EventSourcedBehavior<Command, Integer, Long>(PersistenceId.ofUniqueId(id)) {
      @Override
      public Long emptyState() {
        return 0L;
      }

      @Override
      public CommandHandler<Command, Integer, Long> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
            .onCommand(Append.class, (state, cmd) -> Effect().persist(cmd.value()).thenReply(cmd.replyTo(), s -> s))
            .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
            .build();
      }

      @Override
      public EventHandler<Long, Integer> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onEvent(Integer.class, RecoveryReadsIT::fold).build();
      }

      @Override
      public SignalHandler<Long> signalHandler() {
        return newSignalHandlerBuilder()
            .onSignal(SnapshotCompleted.class, (state, done) -> snapshots.tell(done.metadata().sequenceNr()))
            .build();
      }

      @Override
      public RetentionCriteria retentionCriteria() {
        return snapshotEvery == 0 ? RetentionCriteria.disabled() : RetentionCriteria.snapshotEvery(snapshotEvery, 1);
      }
    };
  }

  static long fold(long state, int value) {
    return state * 31 + value;
  }

  static long expected(int from, int to) {
    return IntStream.rangeClosed(from, to).asLongStream().reduce(0L, (state, value) -> fold(state, (int) value));
  }

  EmbeddedDynamoDb dynamo;
  Config config;
  ActorTestKit node;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    ParleyMetrics.installPrometheus();
    dynamo = EmbeddedDynamoDb.start(dir, ParleyProcess.freePort());
    config = LocalPersistence.config(dynamo, "");
    node = ActorTestKit.create("recovery-reads-it", config);
  }

  @AfterAll
  void stop() throws Exception {
    node.shutdownTestKit();
    dynamo.close();
  }

  @Test
  void aRecoveryQueriesItsNewestPartitionOnceAndReplaysEveryEventInOrder() {
    String id = "recovering-1";
    TestProbe<Long> probe = node.createTestProbe();
    ActorRef<Command> entity = node.spawn(entity(id));
    append(entity, probe, 1, 150); // partitions 0 and 1
    node.stop(entity);

    double queries = queries();
    ActorRef<Command> recovered = node.spawn(entity(id));
    recovered.tell(new Get(probe.ref()));
    assertEquals(expected(1, 150), probe.receiveMessage(Duration.ofSeconds(10)), "every event replayed, in order");
    // The snapshot store's, the newest partition's (for the highest sequence number, and kept
    // for the replay), the older partition's for the replay: partition 1 is not queried twice.
    assertEquals(3, queries() - queries, "Queries of one recovery");
    node.stop(recovered);
  }

  @Test
  void eventsAnotherNodeWroteSinceThisOneLastRecoveredTheEntityAreReplayed() {
    String id = "recovering-2";
    TestProbe<Long> probe = node.createTestProbe();
    TestProbe<Long> snapshots = node.createTestProbe();
    ActorRef<Command> entity = node.spawn(entity(id, 95, snapshots.ref()));
    append(entity, probe, 1, 95);
    assertEquals(95, snapshots.receiveMessage(Duration.ofSeconds(10)), "a snapshot at 95, in partition 0");
    node.stop(entity);
    // Recovered from the snapshot, nothing to replay: what its highest read found stays unread.
    ActorRef<Command> idle = node.spawn(entity(id, 95, snapshots.ref()));
    idle.tell(new Get(probe.ref()));
    assertEquals(expected(1, 95), probe.receiveMessage(Duration.ofSeconds(10)));
    node.stop(idle);

    ActorTestKit other = ActorTestKit.create("recovery-reads-it-other", config);
    try {
      TestProbe<Long> otherProbe = other.createTestProbe();
      ActorRef<Command> elsewhere = other.spawn(entity(id, 95, otherProbe.ref()));
      append(elsewhere, otherProbe, 96, 105); // into partitions 0 and 1
      other.stop(elsewhere);
    } finally {
      other.shutdownTestKit();
    }

    ActorRef<Command> back = node.spawn(entity(id, 95, snapshots.ref()));
    back.tell(new Get(probe.ref()));
    assertEquals(expected(1, 105), probe.receiveMessage(Duration.ofSeconds(10)),
        "the events 96-105, the newer ones in partition 1, replayed after the snapshot");
  }

  private static void append(ActorRef<Command> entity, TestProbe<Long> probe, int from, int to) {
    for (int value = from; value <= to; value++) {
      entity.tell(new Append(value, probe.ref()));
      probe.receiveMessage(Duration.ofSeconds(10));
    }
  }

  private static double queries() {
    Counter counter = Metrics.globalRegistry.find("parley.dynamodb.requests").tag("operation", "Query").counter();
    return counter == null ? 0 : counter.count();
  }
}
