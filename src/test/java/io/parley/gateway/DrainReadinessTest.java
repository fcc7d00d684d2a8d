package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.management.HealthCheckSettings;
import org.apache.pekko.management.NamedHealthCheck;
import org.apache.pekko.management.javadsl.CheckResult;
import org.apache.pekko.management.javadsl.HealthChecks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * /ready turns false as soon as the node starts to shut down, so a load balancer sends new clients
 * elsewhere while the node drains its own; /alive stays true, so the node is not killed mid-drain.
 */
class DrainReadinessTest {
  final ActorTestKit testKit = ActorTestKit.create("drain-readiness");
  final CompletableFuture<Done> drainHeld = new CompletableFuture<>();

  @AfterEach
  void stop() {
    drainHeld.complete(Done.done());
    testKit.shutdownTestKit();
  }

  @Test
  void readyTurnsFalseAtOnceOnShutdownWhileAliveStaysTrue() throws Exception {
    HealthChecks checks = new HealthChecks((ExtendedActorSystem) testKit.system().classicSystem(), parleysChecks());
    assertTrue(passes(checks.readyResult()), "ready before the shutdown");

    CoordinatedShutdown shutdown = CoordinatedShutdown.get(testKit.system());
    CompletableFuture<Done> draining = new CompletableFuture<>();
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "test-held-drain", () -> {
      draining.complete(Done.done());
      return drainHeld;
    });
    shutdown.run(CoordinatedShutdown.unknownReason());
    draining.get(5, TimeUnit.SECONDS);

    assertFalse(passes(checks.readyResult()), "not ready while the node drains");
    assertTrue(passes(checks.aliveResult()), "alive while the node drains");
  }

  /** As the management route answers: 200 for a success, 500 for a failed or thrown check. */
  static boolean passes(CompletionStage<CheckResult> result) throws Exception {
    try {
      return result.toCompletableFuture().get(5, TimeUnit.SECONDS).isSuccess();
    } catch (ExecutionException failed) {
      return false;
    }
  }

  /**
   * The /ready and /alive checks Parley configures, but for the storage check, which needs a store
   * (StorageHealthCheckTest), and the cluster's, which need a cluster.
   */
  static HealthCheckSettings parleysChecks() {
    Config all = ConfigFactory.load().getConfig("pekko.management.health-checks");
    return HealthCheckSettings.create(List.of(), own(all.getConfig("readiness-checks")),
        own(all.getConfig("liveness-checks")), "startup", "ready", "alive", Duration.ofSeconds(1));
  }

  private static List<NamedHealthCheck> own(Config checks) {
    return checks.root().keySet().stream()
        .map(name -> new NamedHealthCheck(name, checks.getString(name)))
        .filter(check -> check.fullyQualifiedClassName().startsWith("io.parley.")
            && !check.fullyQualifiedClassName().endsWith(".StorageHealthCheck"))
        .toList();
  }
}
