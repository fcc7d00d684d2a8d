package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.archive.ArchiveCalendar;
import io.parley.push.PushToken;
import io.parley.push.PushTokenOwner;
import io.parley.testing.EntityHarness;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Entities count themselves while they run and ask their shard to passivate them; a journal that
 * fails them is told by {@link JournalFailures}, not by a stack trace per restart.
 */
class EntityLifecycleTest {
  EntityHarness harness;
  SimpleMeterRegistry meters;
  TestProbe<ClusterSharding.ShardCommand> shard;

  @BeforeEach
  void start() {
    meters = new SimpleMeterRegistry();
    Metrics.addRegistry(meters);
    harness = new EntityHarness("");
    shard = harness.testKit.createTestProbe();
  }

  @AfterEach
  void stop() {
    harness.shutdown();
    Metrics.removeRegistry(meters);
  }

  @Test
  void anEntityIsCountedFromRecoveryUntilItStops() {
    ActorRef<PushTokenOwner.Command> owner = harness.testKit.spawn(PushTokenOwner.create("apns:t1", shard.ref(), harness.tokenHolders()));
    // Nothing to release: it asks to passivate as soon as it has recovered.
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    ActorRef<ArchiveCalendar.Command> page = harness.testKit.spawn(ArchiveCalendar.create("0-0", shard.ref(), harness));
    awaitRunning("push-token", 1);
    awaitRunning("archive-calendar", 1);
    owner.tell(PushTokenOwner.stopMessage());
    page.tell(ArchiveCalendar.stopMessage());
    awaitRunning("push-token", 0);
    awaitRunning("archive-calendar", 0);
  }

  @Test
  void aFailedWriteAndAFailedRecoveryAreCountedAndTheSupervisorLogsNoStackTrace() {
    PersistenceTestKit journal = PersistenceTestKit.create(harness.testKit.system());
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(logged);
    try {
      journal.failNextPersisted("PushToken|apns:t1", new IllegalStateException("the store cannot commit"));
      ActorRef<PushTokenOwner.Command> owner =
          harness.testKit.spawn(PushTokenOwner.create("apns:t1", shard.ref(), harness.tokenHolders()));
      owner.tell(new PushTokenOwner.Claim("alice", new PushToken("apns", "t1"), harness.testKit.<Outcome<Done>>createTestProbe().ref()));
      awaitFailures("push-token", "write", 1);

      journal.failNextRead("PushToken|apns:t2");
      harness.testKit.spawn(PushTokenOwner.create("apns:t2", shard.ref(), harness.tokenHolders()));
      awaitFailures("push-token", "recovery", 1);

      assertEquals(List.of(), logged.list.stream()
          .filter(event -> event.getThrowableProxy() != null || event.getFormattedMessage().startsWith("Supervisor"))
          .map(ILoggingEvent::getFormattedMessage).toList(), "no supervisor line, no stack trace");
    } finally {
      root.detachAppender(logged);
    }
  }

  private void awaitFailures(String type, String kind, double expected) {
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      Counter counter = meters.find("parley.journal.failures").tag("entity", type).tag("kind", kind).counter();
      assertEquals(expected, counter == null ? 0 : counter.count(), type + " " + kind);
      return null;
    });
  }

  private void awaitRunning(String type, double expected) {
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      Gauge gauge = meters.find("parley.entities").tag("region", type).gauge();
      assertEquals(expected, gauge == null ? 0 : gauge.value(), type);
      return null;
    });
  }
}
