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
  static final int LARGE_FROM = 6;
  /** Long enough for a killed node's old incarnation to be downed and a relaunched one to join. */
  static final Duration WHOLE_WITHIN = Duration.ofMinutes(3);

  LocalCluster cluster;
  List<ParleyProcess> nodes;

  @BeforeAll
  void startCluster(@TempDir Path temp) throws Exception {
    cluster = LocalCluster.start(temp, NODES, Map.of(
        "PARLEY_DRAIN_GRACE", DRAIN_GRACE,
        // Groups are large from 6 members here, so that a test can grow one past it.
        "PARLEY_LARGE_GROUP_FROM", Integer.toString(LARGE_FROM),
        "PARLEY_RATE_LIMIT_BURST", "100", // a test sends 50 messages in a row
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

      // Typing asks the conversation, wherever it runs: a stranger on each node (so on at least two
      // that do not host it) is refused with the frame's req_id; bob's notice reaches alice's node.
      String direct = "d:" + aliceId + ":" + bobId;
      for (int i = 0; i < NODES; i++) {
        try (WsClient stranger = WsClient.connect(nodes.get(i),
            new ApiClient(nodes.get(i)).token(run + "mallory" + i), "phone")) {
          stranger.send(frame("typing").put("req_id", "t" + i).put("conversation_id", direct));
          JsonNode refused = stranger.await(WsClient.reply("t" + i));
          assertEquals("not_member", refused.path("code").asText(), "node " + i + ": " + refused);
        }
      }
      bobLaptop.send(frame("typing").put("req_id", "b").put("conversation_id", direct));
      JsonNode typing = alice.await(WsClient.type("typing"));
      assertEquals(bobId, typing.get("user_id").asText());
      bobLaptop.request(frame("ping"));
      assertTrue(bobLaptop.all().stream().noneMatch(WsClient.reply("b")), "a member's typing has no reply");
    }
  }

  /**
   * Also: users connected only to the killed node are shown offline to a contact on another node,
   * with when they were last seen. The node stored no disconnect for them, and a user entity on it
   * starts again elsewhere; several users, so that some of their entities ran on that node.
   */
  @Test
  void killingANodeUnderLoadLosesAndDuplicatesNothing() throws Exception {
    String run = unique("k");
    String watcherId = run + "watcher";
    List<String> watched = java.util.stream.IntStream.range(0, 8).mapToObj(i -> run + "seen" + i).toList();
    long before = System.currentTimeMillis();
    List<WsClient> onVictim = new java.util.ArrayList<>();
    try (ChatLoad load = new ChatLoad(nodes);
        WsClient watcher = WsClient.connect(nodes.get(0), new ApiClient(nodes.get(0)).token(watcherId), "phone")) {
      for (String id : watched) {
        WsClient ws = WsClient.connect(nodes.get(1), new ApiClient(nodes.get(1)).token(id), "phone");
        onVictim.add(ws);
        ws.request(frame("msg.send").put("conversation_id", SharedChatNode.directId(id, watcherId))
            .put("client_msg_id", "hi").put("content", "hi"));
      }
      var ids = ApiClient.JSON.createArrayNode();
      watched.forEach(ids::add);
      watcher.send(frame("presence.subscribe").set("user_ids", ids));
      for (String id : watched) {
        watcher.await(f -> isPresence(f, id, "online"));
      }
      int checked = runLoad(load, run, () -> {
        load.awaitAcked(60);
        ParleyProcess victim = nodes.get(1);
        victim.kill();
        for (String id : watched) {
          // A contact's offline carries last_seen; the hidden answer a subscription may get first does not.
          JsonNode offline = watcher.await(f -> isPresence(f, id, "offline") && f.has("last_seen"), WHOLE_WITHIN);
          assertTrue(offline.path("last_seen").asLong() >= before, "last seen when connected, not 0: " + offline);
        }
        load.awaitAcked(140);
        victim.launch();
      });
      System.out.printf("ClusterIT kill -9: %d messages acked, %d deliveries checked on %d devices, %d (re)connects%n",
          load.messagesAcked(), checked, load.deviceCount(), load.reconnects());
    } finally {
      onVictim.forEach(WsClient::close);
    }
  }

  private static boolean isPresence(JsonNode frame, String userId, String status) {
    return "presence".equals(frame.path("type").asText()) && userId.equals(frame.path("user_id").asText())
        && status.equals(frame.path("status").asText());
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

  /**
   * A group grows large while its members are connected on different nodes: from then on each of
   * its messages reaches them live through their nodes' relays (once, in order, with no cursor),
   * and a member who was offline finds the right unread count and the history.
   */
  @Test
  void aLargeGroupReachesMembersOnOtherNodesLiveAndAnOfflineMemberCatchesUp() throws Exception {
    String run = unique("l");
    String owner = run + "owner";
    String onNode1 = run + "m1";
    String onNode2 = run + "m2";
    String offline = run + "m3";
    ApiClient api0 = new ApiClient(nodes.get(0));
    ApiClient api1 = new ApiClient(nodes.get(1));
    ApiClient api2 = new ApiClient(nodes.get(2));
    try (WsClient ownerWs = WsClient.connect(nodes.get(0), api0.token(owner), "phone");
        WsClient m1 = WsClient.connect(nodes.get(1), api1.token(onNode1), "phone");
        WsClient m2 = WsClient.connect(nodes.get(2), api2.token(onNode2), "phone")) {
      m1.await(WsClient.type("hello"));
      m2.await(WsClient.type("hello"));
      String group = ownerWs.request(frame("conversation.create").put("title", "Town hall")
              .set("members", ApiClient.JSON.createArrayNode().add(onNode1).add(onNode2).add(offline)))
          .get("conversation_id").asText();
      ownerWs.request(frame("msg.send").put("conversation_id", group).put("client_msg_id", "small")
          .put("content", "while small"));
      assertTrue(m1.await(f -> "msg.new".equals(f.path("type").asText())).has("cursor"), "small: a stream item");

      StringBuilder more = new StringBuilder("{\"members\":[");
      for (int i = 0; i < LARGE_FROM; i++) {
        more.append(i == 0 ? "" : ",").append("\"").append(run).append("x").append(i).append("\"");
      }
      ApiClient.Response added = api0.post(api0.token(owner), "/v1/conversations/" + group + "/members",
          more.append("]}").toString());
      assertEquals(200, added.status(), added.toString());
      JsonNode updated = m2.await(f -> "conversation.updated".equals(f.path("type").asText())
          && f.path("large").asBoolean());
      assertEquals(4 + LARGE_FROM, updated.get("member_count").asInt(), updated.toString());

      // m1's second device connects to node 1, which kept m1's large groups (none) from the first
      // connection and has heard the group grow since: without a lookup, it hears the group live.
      try (WsClient m1Laptop = WsClient.connect(nodes.get(1), api1.token(onNode1), "laptop")) {
        m1Laptop.await(WsClient.type("hello"));
        for (int i = 1; i <= 50; i++) {
          JsonNode ack = ownerWs.request(frame("msg.send").put("conversation_id", group).put("client_msg_id", "l" + i)
              .put("content", "large " + i));
          assertEquals(i + 1, ack.path("seq").asLong(), ack.toString());
        }
        for (WsClient member : List.of(m1, m2)) {
          JsonNode last = member.await(f -> "msg.new".equals(f.path("type").asText()) && f.path("seq").asLong() == 51);
          assertTrue(last.path("cursor").isMissingNode(), "relayed live, not a stream item: " + last);
          List<Long> seqs = member.all().stream()
              .filter(f -> "msg.new".equals(f.path("type").asText()) && group.equals(f.path("conversation_id").asText()))
              .map(f -> f.get("seq").asLong())
              .toList();
          assertEquals(java.util.stream.LongStream.rangeClosed(1, 51).boxed().toList(), seqs, "each once, in order");
        }
        JsonNode last = m1Laptop.await(f -> "msg.new".equals(f.path("type").asText())
            && group.equals(f.path("conversation_id").asText()) && f.path("seq").asLong() == 51);
        assertTrue(last.path("cursor").isMissingNode(), "relayed live: " + last);
        List<Long> live = m1Laptop.all().stream()
            .filter(f -> "msg.new".equals(f.path("type").asText()) && group.equals(f.path("conversation_id").asText())
                && f.path("cursor").isMissingNode())
            .map(f -> f.get("seq").asLong())
            .toList();
        assertEquals(java.util.stream.LongStream.rangeClosed(live.get(0), 51).boxed().toList(), live,
            "from where it started hearing, each once, in order");
      }

      // The sender sees counts, not a receipt per member: the last message reached the two connected.
      JsonNode counts = ownerWs.await(f -> "receipt.counts".equals(f.path("type").asText())
          && f.path("seq").asLong() == 51);
      assertEquals(2, counts.get("delivered_count").asInt(), counts.toString());
      assertTrue(ownerWs.all().stream().noneMatch(f -> "receipt".equals(f.path("type").asText())
          && group.equals(f.path("conversation_id").asText())), "no receipt per member");

      // An announcement channel: a plain member is refused, with a clear error, and nothing is stored.
      ownerWs.send(frame("conversation.set_posting").put("conversation_id", group).put("posting", "admins"));
      ownerWs.request(frame("inbox.get")); // a later frame answered: the setting is stored
      JsonNode refused = m1.request(frame("msg.send").put("conversation_id", group).put("client_msg_id", "m1-1")
          .put("content", "may I?"));
      assertEquals("forbidden", refused.path("code").asText(), refused.toString());
    }

    try (WsClient late = WsClient.connect(nodes.get(1), api1.token(offline), "phone")) {
      late.await(WsClient.type("hello"));
      JsonNode inbox = late.request(frame("inbox.get"));
      JsonNode item = null;
      for (JsonNode i : inbox.get("items")) {
        item = i.get("conversation_id").asText().startsWith("g.") ? i : item;
      }
      assertEquals(51, item.get("unread_count").asInt(), inbox.toString());
      assertEquals(51, item.get("last_seq").asLong());
      assertEquals("large 50", item.get("last_message_preview").asText());
      String group = item.get("conversation_id").asText();
      JsonNode history = late.request(frame("history.get").put("conversation_id", group).put("limit", 100));
      assertEquals(51, history.get("messages").size(), history.toString());
      late.send(frame("msg.read").put("conversation_id", group).put("seq", 40));
      // m3's user entity kept the group from when it was small, and passes the mark on to the group.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      int unread = -1;
      while (unread != 11 && System.nanoTime() < deadline) {
        for (JsonNode i : late.request(frame("inbox.get")).get("items")) {
          unread = group.equals(i.get("conversation_id").asText()) ? i.get("unread_count").asInt() : unread;
        }
        if (unread != 11) {
          late.poll(Duration.ofMillis(100)); // inbox pages count as reads: asked at a pace, not in a tight loop
        }
      }
      assertEquals(11, unread, "read through 40 of 51");
      ApiClient.Response members = api1.get(api1.token(offline), "/v1/conversations/" + group + "/members?limit=1000");
      assertEquals(4 + LARGE_FROM, members.body().get("members").size(), members.toString());
    }
  }
}
