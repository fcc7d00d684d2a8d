package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.archive.ArchiveCalendar;
import io.parley.push.PushTokenOwner;
import io.parley.testing.EntityHarness;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Entities count themselves while they run and ask their shard to passivate them. */
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

  private void awaitRunning(String type, double expected) {
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      Gauge gauge = meters.find("parley.entities").tag("region", type).gauge();
      assertEquals(expected, gauge == null ? 0 : gauge.value(), type);
      return null;
    });
  }
}
