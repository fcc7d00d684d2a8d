package io.parley;

import static io.parley.testing.WsClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.ChatLoad;
import io.parley.testing.LocalCluster;
import io.parley.testing.ParleyProcess;
import io.parley.testing.WsClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Parley JVMs on 127.0.0.1 form one Pekko cluster and share one DynamoDB and one S3 (run
 * here by the test, as an external store would be). Clients are spread over all nodes.
 *
 * <p>The cluster is started once, but every test begins with all three nodes running and Up in
 * every node's view ({@link #wholeCluster}), whatever an earlier test killed or drained, and
 * uses users of its own: the tests pass in any order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIT {
  static final int NODES = 3;
  static final String DRAIN_GRACE = "3s";
  /** Long enough for a killed node's old incarnation to be downed and a relaunched one to join. */
  static final Duration WHOLE_WITHIN = Duration.ofMinutes(3);

  LocalCluster cluster;
  List<ParleyProcess> nodes;

  @BeforeAll
  void startCluster(@TempDir Path temp) throws Exception {
    cluster = LocalCluster.start(temp, NODES, Map.of(
        "PARLEY_DRAIN_GRACE", DRAIN_GRACE,
        // Down a crashed node after 5 s of stability instead of the production 20 s.
        "JDK_JAVA_OPTIONS", "-Dpekko.cluster.split-brain-resolver.stable-after=5s"));
    nodes = cluster.nodes;
  }

  /**
   * Relaunches any node that is not running (a test may have failed between stopping a node and
   * starting it again) and waits until every node is ready and sees all {@value #NODES}, and
   * only them, Up with none unreachable.
   */
  @BeforeEach
  void wholeCluster() throws Exception {
    long deadline = System.nanoTime() + WHOLE_WITHIN.toNanos();
    while (true) {
      for (ParleyProcess node : nodes) {
        if (!node.isAlive()) {
          node.launch();
        }
      }
      String lastSeen = unhealthy();
      if (lastSeen.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the cluster was not whole within " + WHOLE_WITHIN + ": " + lastSeen
            + "\nrecent warnings:\n" + nodes.stream().map(ParleyProcess::recentWarnings).collect(Collectors.joining("\n")));
      }
      Thread.sleep(250);
    }
  }

  /** What keeps the cluster from being whole, as each node sees it; empty if nothing. */
  private String unhealthy() {
    StringBuilder problems = new StringBuilder();
    for (int i = 0; i < NODES; i++) {
      ParleyProcess node = nodes.get(i);
      try {
        int ready = node.managementStatus("/ready");
        JsonNode view = ApiClient.JSON.readTree(node.managementBody("/cluster/members"));
        JsonNode members = view.path("members");
        boolean allUp = members.size() == NODES;
        for (JsonNode member : members) {
          allUp &= "Up".equals(member.path("status").asText());
        }
        if (ready != 200 || !allUp || view.path("unreachable").size() > 0) {
          problems.append("node ").append(i).append(": ready ").append(ready).append(", ").append(view).append("; ");
        }
      } catch (IOException notAnswering) {
        problems.append("node ").append(i).append(": ").append(notAnswering).append("; ");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return problems.toString();
  }

  /** A prefix for this test's user ids: no test meets another's users or conversations. */
  private static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().substring(0, 6);
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theNodesFormOneClusterAndUsersOnDifferentNodesChat() throws Exception {
    for (ParleyProcess node : nodes) {
      JsonNode members = ApiClient.JSON.readTree(node.managementBody("/cluster/members"));
      assertEquals(NODES, members.get("members").size(), "every node sees all " + NODES);
    }
    String run = unique("x");
    String aliceId = run + "alice";
    String bobId = run + "bob";
    // Alice on node 0, bob's phone on node 1 and his laptop on node 2.
    try (WsClient alice = WsClient.connect(nodes.get(0), new ApiClient(nodes.get(0)).token(aliceId), "phone");
        WsClient bobPhone = WsClient.connect(nodes.get(1), new ApiClient(nodes.get(1)).token(bobId), "phone");
        WsClient bobLaptop = WsClient.connect(nodes.get(2), new ApiClient(nodes.get(2)).token(bobId), "laptop")) {
      bobPhone.await(WsClient.type("hello"));
      bobLaptop.await(WsClient.type("hello"));
      JsonNode ack = alice.request(frame("msg.send").put("conversation_id", "d:" + aliceId + ":" + bobId)
          .put("client_msg_id", "x1").put("content", "across nodes"));
      assertEquals(1, ack.get("seq").asLong());
      assertEquals("across nodes", bobPhone.await(WsClient.type("msg.new")).get("content").asText());
      assertEquals("across nodes", bobLaptop.await(WsClient.type("msg.new")).get("content").asText());
      bobLaptop.send(frame("ack").put("cursor", 1));
      assertEquals("delivered", alice.await(WsClient.type("receipt")).get("status").asText());
    }
  }

  @Test
  void killingANodeUnderLoadLosesAndDuplicatesNothing() {
    try (ChatLoad load = new ChatLoad(nodes)) {
      int checked = runLoad(load, unique("k"), () -> {
        load.awaitAcked(60);
        ParleyProcess victim = nodes.get(1);
        victim.kill();
        load.awaitAcked(140);
        victim.launch();
      });
      System.out.printf("ClusterIT kill -9: %d messages acked, %d deliveries checked on %d devices, %d (re)connects%n",
          load.messagesAcked(), checked, load.deviceCount(), load.reconnects());
    }
  }

  @Test
  void aSigtermDrainsClientsWithinTheGracePeriod() {
    ParleyProcess node = nodes.get(2);
    try (WsClient client = WsClient.connect(node, new ApiClient(node).token(unique("x") + "drained"), "phone")) {
      client.await(WsClient.type("hello"));
      long start = System.nanoTime();
      new Thread(node::terminate).start();
      JsonNode draining = client.await(WsClient.type("server.draining"), Duration.ofSeconds(10));
      assertTrue(draining.get("reconnect_after_ms").asLong() >= 0);
      client.awaitClose();
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(tookMs < Duration.parse("PT" + DRAIN_GRACE).toMillis() + 2000, "closed within the grace: " + tookMs + " ms");
    }
    assertTrue(node.awaitExit(Duration.ofSeconds(60)), "the node exited after draining");
    node.launch();
  }

  @Test
  void aRollingRestartUnderLoadLosesAndDuplicatesNothing() {
    try (ChatLoad load = new ChatLoad(nodes)) {
      int checked = runLoad(load, unique("r"), () -> {
        for (int i = 0; i < NODES; i++) {
          load.awaitAcked(40 + 50 * i);
          ParleyProcess node = nodes.get(i);
          node.terminate();
          node.launch();
        }
      });
      System.out.printf("ClusterIT rolling restart: %d messages acked, %d deliveries checked on %d devices, %d (re)connects%n",
          load.messagesAcked(), checked, load.deviceCount(), load.reconnects());
    }
  }

  /** Three users on 1:1 and group conversations, two devices each, while {@code disruption} runs. */
  private static int runLoad(ChatLoad load, String prefix, Runnable disruption) {
    String a = prefix + "alice";
    String b = prefix + "bob";
    String c = prefix + "carol";
    String group = load.createGroup(a, List.of(b, c));
    String direct = "d:" + a + ":" + b;
    load.devices(a, List.of(direct, group), "phone", "laptop");
    load.devices(b, List.of(direct, group), "phone", "laptop");
    load.devices(c, List.of(group), "phone", "laptop");
    load.sender(a, List.of(direct, group), 100);
    load.sender(b, List.of(direct, group), 100);
    load.sender(c, List.of(group), 50);
    disruption.run();
    return load.verify();
  }

}
