package io.parley;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.LocalCluster;
import io.parley.testing.ParleyProcess;
import io.parley.testing.Poll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node leaving the cluster stops the cluster singletons it hosts at once, whatever state they
 * are in. The archive clock, an event-sourced singleton, cannot recover while the store is
 * unreachable: it fails, backs off and tries again. The singleton manager's stop reached it only
 * after a recovery that succeeded, so the last node of a cluster (the singletons' last host)
 * waited out the whole cluster-exiting phase of its shutdown (Pekko's 10 s) before it exited.
 */
class SingletonStopIT {
  /**
   * The cluster-exiting phase's timeout here: long, so that a node that waits it out is told
   * apart from one that does not, however slow the machine. Leaving takes a gossip round or two.
   */
  static final Duration EXITING_TIMEOUT = Duration.ofSeconds(60);
  static final String ARCHIVE_CLOCK = "singletonManagerarchive-clock/archive-clock";

  LocalCluster cluster;

  @AfterEach
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theLastNodeStopsWithoutWaitingOutTheExitingPhaseWhenTheStoreIsDown(@TempDir Path temp) throws Exception {
    cluster = LocalCluster.start(temp, 2, Map.of(), List.of(
        "-Dpekko.coordinated-shutdown.phases.cluster-exiting.timeout=" + EXITING_TIMEOUT.toSeconds() + "s"));
    ParleyProcess oldest = cluster.nodes.get(0);
    ParleyProcess last = cluster.nodes.get(1);
    // The first seed forms the cluster, so it is the oldest and hosts the singletons.
    assertTrue(oldest.managementBody("/cluster/members").contains("\"oldest\":\"pekko://parley@127.0.0.1:"
        + oldest.env("PARLEY_CLUSTER_PORT") + "\""), oldest.managementBody("/cluster/members"));

    cluster.dynamo.close();
    oldest.terminate();
    // The singletons move to the last node, where the archive clock's recovery cannot read the journal.
    Poll.until(Duration.ofSeconds(60), () -> log(last).contains("starting singleton actor [pekko://parley/system/"
        + ARCHIVE_CLOCK + "]"));

    long start = System.nanoTime();
    last.sigterm();
    boolean exited = last.awaitExit(EXITING_TIMEOUT.dividedBy(2));
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    String log = log(last);
    assertTrue(exited, "the last node exited well within the cluster-exiting phase's " + EXITING_TIMEOUT.toSeconds()
        + " s: still running after " + tookMs + " ms\n" + last.recentLines(40));
    assertFalse(log.contains("phase [cluster-exiting] timed out"), "the phase was waited out, in " + tookMs + " ms");
    assertTrue(log.contains("Singleton actor [pekko://parley/system/" + ARCHIVE_CLOCK + "] was terminated"),
        "the archive clock stopped:\n" + last.recentLines(40));
    System.out.printf("SingletonStopIT: the last node exited %d ms after SIGTERM with the store down%n", tookMs);
  }

  private static String log(ParleyProcess node) {
    try {
      return Files.readString(node.logFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
