package io.parley;

import static io.parley.testing.WsClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.testing.ApiClient;
import io.parley.testing.LocalCluster;
import io.parley.testing.ParleyProcess;
import io.parley.testing.WsClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Parley JVMs as one cluster with shared stores: a user sending (typing, creating groups) from
 * a device on each node gets one user's limit in all, not one per node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterRateLimitIT {
  static final int PER_MINUTE = 6;
  static final int BURST = 10;
  static final int SENDS_PER_DEVICE = 15;
  static final int TYPING_BURST = 10;
  static final int TYPING_PER_DEVICE = 15;
  static final int GROUP_CHANGES_BURST = 4;
  static final int GROUPS_PER_DEVICE = 6;

  LocalCluster cluster;
  List<ParleyProcess> nodes;

  @BeforeAll
  void startCluster(@TempDir Path temp) throws Exception {
    // A slow refill, so that the test's own duration adds next to nothing to the burst.
    String limits = "-Dparley.gateway.rate-limit.";
    cluster = LocalCluster.start(temp, 2, Map.of(
        "PARLEY_RATE_LIMIT_PER_MINUTE", Integer.toString(PER_MINUTE),
        "PARLEY_RATE_LIMIT_BURST", Integer.toString(BURST)), List.of(
        limits + "typing-per-minute=" + PER_MINUTE, limits + "typing-burst=" + TYPING_BURST,
        limits + "group-changes-per-minute=" + PER_MINUTE, limits + "group-changes-burst=" + GROUP_CHANGES_BURST));
    nodes = cluster.nodes;
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aUserOnTwoNodesSendsNoMoreThanOneUsersLimitInAll() throws Exception {
    for (ParleyProcess node : nodes) {
      JsonNode members = ApiClient.JSON.readTree(node.managementBody("/cluster/members"));
      assertEquals(2, members.get("members").size(), "one cluster of two");
    }
    String conversation = "d:rlalice:rlbob";
    String token = new ApiClient(nodes.get(0)).token("rlbob");
    try (WsClient phone = WsClient.connect(nodes.get(0), token, "phone");
        WsClient laptop = WsClient.connect(nodes.get(1), token, "laptop")) {
      phone.await(WsClient.type("hello"));
      laptop.await(WsClient.type("hello"));
      long started = System.nanoTime();
      for (int i = 0; i < SENDS_PER_DEVICE; i++) {
        phone.send(send(conversation, "phone-" + i));
        laptop.send(send(conversation, "laptop-" + i));
      }
      int phoneAcks = acks(phone, "phone-");
      int laptopAcks = acks(laptop, "laptop-");
      double seconds = (System.nanoTime() - started) / 1e9;
      int allowed = BURST + (int) Math.ceil(seconds * PER_MINUTE / 60);
      int accepted = phoneAcks + laptopAcks;
      String counts = "phone " + phoneAcks + ", laptop " + laptopAcks + " in " + seconds + " s";
      // Buckets per node would accept a burst on each node. Which node's leases come first is a race,
      // so how the burst splits between the devices is not checked, only that all sends were answered.
      assertTrue(accepted >= BURST && accepted <= allowed, "one burst of " + BURST + " in all: " + counts);
      // The excess was not stored.
      JsonNode history = new ApiClient(nodes.get(1))
          .get(token, "/v1/conversations/" + conversation + "/messages?limit=200").body();
      assertEquals(accepted, history.get("messages").size());
    }
  }

  @Test
  void aUserOnTwoNodesTypesNoMoreThanOneUsersLimitInAll() {
    String token = new ApiClient(nodes.get(0)).token("rltypist");
    try (WsClient phone = WsClient.connect(nodes.get(0), token, "phone");
        WsClient laptop = WsClient.connect(nodes.get(1), token, "laptop")) {
      phone.await(WsClient.type("hello"));
      laptop.await(WsClient.type("hello"));
      long started = System.nanoTime();
      for (int i = 0; i < TYPING_PER_DEVICE; i++) {
        phone.send(typing("phone-" + i));
        laptop.send(typing("laptop-" + i));
      }
      // A relayed typing notice has no reply: the refused ones do, each before the pong that follows.
      int phoneRelayed = TYPING_PER_DEVICE - refusedBeforePong(phone, "phone-");
      int laptopRelayed = TYPING_PER_DEVICE - refusedBeforePong(laptop, "laptop-");
      double seconds = (System.nanoTime() - started) / 1e9;
      int allowed = TYPING_BURST + (int) Math.ceil(seconds * PER_MINUTE / 60);
      int relayed = phoneRelayed + laptopRelayed;
      String counts = "phone " + phoneRelayed + ", laptop " + laptopRelayed + " in " + seconds + " s";
      assertTrue(relayed >= TYPING_BURST && relayed <= allowed, "one burst of " + TYPING_BURST + " in all: " + counts);
    }
  }

  @Test
  void aUserOnTwoNodesCreatesNoMoreGroupsThanOneUsersLimitInAll() {
    String token = new ApiClient(nodes.get(0)).token("rlorganiser");
    try (WsClient phone = WsClient.connect(nodes.get(0), token, "phone");
        WsClient laptop = WsClient.connect(nodes.get(1), token, "laptop")) {
      phone.await(WsClient.type("hello"));
      laptop.await(WsClient.type("hello"));
      long started = System.nanoTime();
      for (int i = 0; i < GROUPS_PER_DEVICE; i++) {
        phone.send(createGroup("phone-" + i));
        laptop.send(createGroup("laptop-" + i));
      }
      int phoneCreated = answered(phone, "phone-", GROUPS_PER_DEVICE, "conversation.created");
      int laptopCreated = answered(laptop, "laptop-", GROUPS_PER_DEVICE, "conversation.created");
      double seconds = (System.nanoTime() - started) / 1e9;
      int allowed = GROUP_CHANGES_BURST + (int) Math.ceil(seconds * PER_MINUTE / 60);
      int created = phoneCreated + laptopCreated;
      String counts = "phone " + phoneCreated + ", laptop " + laptopCreated + " in " + seconds + " s";
      assertTrue(created >= GROUP_CHANGES_BURST && created <= allowed,
          "one burst of " + GROUP_CHANGES_BURST + " in all: " + counts);
    }
  }

  private static ObjectNode typing(String id) {
    return frame("typing").put("req_id", id).put("conversation_id", "d:rlfriend:rltypist");
  }

  private static ObjectNode createGroup(String id) {
    return frame("conversation.create").put("req_id", id).put("title", "group " + id)
        .set("members", ApiClient.JSON.createArrayNode().add("rlfriend"));
  }

  /** Pings after the frames sent, and counts the rate_limited replies to them that come before the pong. */
  private static int refusedBeforePong(WsClient client, String prefix) {
    client.send(frame("ping").put("req_id", prefix + "ping"));
    client.await(WsClient.reply(prefix + "ping"));
    int refused = 0;
    for (JsonNode reply : client.all()) {
      if (reply.path("req_id").asText("").startsWith(prefix) && !reply.get("type").asText().equals("pong")) {
        assertEquals("rate_limited", reply.path("code").asText(), reply.toString());
        assertTrue(reply.get("retry_after_ms").asLong() > 0, reply.toString());
        refused++;
      }
    }
    return refused;
  }

  private static ObjectNode send(String conversation, String id) {
    return frame("msg.send").put("req_id", id).put("conversation_id", conversation).put("client_msg_id", id)
        .put("content", "burst " + id);
  }

  private static int acks(WsClient client, String prefix) {
    return answered(client, prefix, SENDS_PER_DEVICE, "msg.ack");
  }

  /** Waits for the reply to each of the device's {@code count} requests: {@code success} counted, the rest must be rate_limited. */
  private static int answered(WsClient client, String prefix, int count, String success) {
    int acks = 0;
    for (int i = 0; i < count; i++) {
      JsonNode reply = client.await(WsClient.reply(prefix + i));
      if (success.equals(reply.get("type").asText())) {
        acks++;
      } else {
        assertEquals("rate_limited", reply.path("code").asText(), reply.toString());
        assertTrue(reply.get("retry_after_ms").asLong() > 0, reply.toString());
      }
    }
    return acks;
  }
}
