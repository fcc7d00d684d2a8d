package io.parley;

import static io.parley.testing.WsClient.frame;
import static io.parley.testing.WsClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.Poll;
import io.parley.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may watch whose presence, and what watching costs, against the real jar: presence only to
 * the watched user's contacts, subscriptions bounded per user across connections and not keeping
 * watched entities running, and new device ids per user per day (issue 39). The node's bounds are
 * scaled down: 40 watched users per user, 3 new devices a day, user entities idle after 4 s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PresenceIT {
  static final int MAX_WATCHED = 40;
  static final int MAX_NEW_DEVICES = 3;

  ParleyProcess node;
  ApiClient api;

  @BeforeAll
  void startNode(@TempDir Path temp) {
    node = ParleyProcess.start(temp, Map.of(
            "PARLEY_HEARTBEAT", "2s",
            "PARLEY_PRESENCE_MAX_WATCHED_PER_USER", String.valueOf(MAX_WATCHED),
            "PARLEY_MAX_NEW_DEVICES_PER_DAY", String.valueOf(MAX_NEW_DEVICES)),
        List.of("-Dparley.user.passivate-after-idle=4s"));
    api = new ApiClient(node);
  }

  @AfterAll
  void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  private static String user(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private WsClient connect(String userId, String deviceId) {
    WsClient client = WsClient.connect(node, api.token(userId), deviceId);
    client.await(type("hello"));
    return client;
  }

  private static ObjectNode subscribe(String reqId, List<String> userIds) {
    ObjectNode frame = frame("presence.subscribe").put("req_id", reqId);
    ArrayNode ids = frame.putArray("user_ids");
    userIds.forEach(ids::add);
    return frame;
  }

  private static ObjectNode send(String conversationId, String clientMsgId, String content) {
    return frame("msg.send").put("conversation_id", conversationId)
        .put("client_msg_id", clientMsgId).put("content", content);
  }

  private static Predicate<JsonNode> presenceOf(String userId) {
    return f -> type("presence").test(f) && userId.equals(f.path("user_id").asText());
  }

  @Test
  void aStrangersMessageShowsThemNothingOfTheVictimUntilTheVictimAnswers() {
    String stranger = user("mallory");
    String victim = user("victim");
    String direct = SharedChatNode.directId(stranger, victim);
    try (WsClient strangerWs = connect(stranger, "phone"); WsClient victimWs = connect(victim, "phone")) {
      assertEquals("msg.ack", strangerWs.request(send(direct, "m1", "hello")).get("type").asText());
      victimWs.await(f -> type("msg.new").test(f) && direct.equals(f.path("conversation_id").asText()));
      // The message is in the victim's inbox now; the victim is online: the stranger sees neither.
      strangerWs.send(subscribe("s", List.of(victim)));
      JsonNode hidden = strangerWs.await(presenceOf(victim));
      assertEquals("offline", hidden.get("status").asText(), hidden.toString());
      assertFalse(hidden.has("last_seen"), hidden.toString());
      // The victim answers: from then on the stranger is a contact and sees the presence.
      assertEquals("msg.ack", victimWs.request(send(direct, "v1", "who is this?")).get("type").asText());
      JsonNode shown = strangerWs.await(presenceOf(victim));
      assertEquals("online", shown.get("status").asText(), shown.toString());
      assertTrue(shown.has("last_seen"), shown.toString());
    }
  }

  @Test
  void aUsersConnectionsWatchAtMostTheBoundInAllAndARefusedSubscriptionChangesNothing() {
    String watcher = user("watcher");
    int perConnection = MAX_WATCHED / 2;
    List<String> first = IntStream.range(0, perConnection).mapToObj(i -> user("w" + i)).toList();
    List<String> second = IntStream.range(0, perConnection).mapToObj(i -> user("x" + i)).toList();
    List<String> third = IntStream.range(0, 5).mapToObj(i -> user("y" + i)).toList();
    try (WsClient phone = connect(watcher, "phone"); WsClient laptop = connect(watcher, "laptop");
        WsClient tablet = connect(watcher, "tablet")) {
      // A subscription is answered only when refused: the pong after it shows none was.
      phone.send(subscribe("p1", first));
      assertEquals("pong", phone.request(frame("ping")).get("type").asText());
      laptop.send(subscribe("l1", second));
      assertEquals("pong", laptop.request(frame("ping")).get("type").asText());
      // The bound is across connections: the tablet's five more are refused whole, naming it.
      JsonNode refused = tablet.request(subscribe("t1", third));
      assertEquals("error", refused.get("type").asText(), refused.toString());
      assertEquals("bad_request", refused.get("code").asText(), refused.toString());
      assertTrue(refused.get("message").asText().contains("at most " + MAX_WATCHED), refused.toString());
      // Once the phone drops some, the tablet's fit, and only then are they watched.
      assertEquals(0, tablet.all().stream().filter(type("presence")).count());
      phone.send(frame("presence.unsubscribe").set("user_ids", ApiClient.JSON.valueToTree(first.subList(0, 5))));
      assertEquals("pong", phone.request(frame("ping")).get("type").asText());
      tablet.send(subscribe("t2", third));
      for (String watched : third) {
        tablet.await(presenceOf(watched));
      }
      assertFalse(tablet.all().stream().anyMatch(f -> type("error").test(f) && "t2".equals(f.path("req_id").asText())));
    }
  }

  @Test
  void aWatchedUserIsNotKeptRunningAndItsSubscribersHearWhenItComesOnline() throws Exception {
    String alice = user("alice");
    String bob = user("bob");
    String direct = SharedChatNode.directId(alice, bob);
    // Bob writes to alice over HTTP, staying offline: she is his contact.
    ApiClient.Response written = api.post(api.token(bob), "/v1/messages",
        "{\"conversation_id\":\"" + direct + "\",\"client_msg_id\":\"b1\",\"content\":\"hi\"}");
    assertEquals(200, written.status(), written.toString());
    try (WsClient aliceWs = connect(alice, "phone")) {
      aliceWs.send(subscribe("s", List.of(bob)));
      JsonNode offline = aliceWs.await(presenceOf(bob));
      assertEquals("offline", offline.get("status").asText());
      // Bob never connected a WebSocket: no time he was last seen (ce0ba38; it was 0, the epoch).
      assertFalse(offline.has("last_seen"), offline.toString());
      // Bob's entity passivates although alice watches it: only alice's own entity keeps running.
      Poll.until(Duration.ofSeconds(30), () -> userEntities() == 1);
      try (WsClient bobWs = connect(bob, "phone")) {
        JsonNode online = aliceWs.await(f -> presenceOf(bob).test(f) && "online".equals(f.path("status").asText()));
        assertEquals("online", online.get("status").asText(), online.toString());
      }
    }
  }

  /** The user's entity watches a device's connection once: it crashed when the device watched its own user. */
  @Test
  void aUserMayWatchTheirOwnPresence() {
    String carol = user("carol");
    try (WsClient phone = connect(carol, "phone")) {
      phone.send(subscribe("s", List.of(carol)));
      JsonNode own = phone.await(presenceOf(carol));
      assertEquals("online", own.get("status").asText(), own.toString());
      try (WsClient laptop = connect(carol, "laptop")) {
        assertEquals("pong", laptop.request(frame("ping")).get("type").asText());
      }
      assertEquals("pong", phone.request(frame("ping")).get("type").asText());
    }
  }

  /** User entities running on the node, from Pekko Management's shard statistics. */
  private int userEntities() {
    try {
      JsonNode shards = ApiClient.JSON.readTree(node.managementBody("/cluster/shards/user"));
      int entities = 0;
      for (JsonNode region : shards.path("regions")) {
        entities += region.path("numEntities").asInt();
      }
      return entities;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void deviceIdsNewToAUserPastTheDailyBoundAreClosedWith1008WhileKnownOnesConnect() {
    String carol = user("carol");
    for (int i = 0; i < MAX_NEW_DEVICES; i++) {
      connect(carol, "device-" + i).close();
    }
    try (WsClient oneTooMany = WsClient.connect(node, api.token(carol), "device-" + MAX_NEW_DEVICES)) {
      assertEquals(1008, oneTooMany.awaitClose());
      assertFalse(oneTooMany.all().stream().anyMatch(type("hello")));
    }
    try (WsClient known = connect(carol, "device-0")) {
      assertEquals("pong", known.request(frame("ping")).get("type").asText());
    }
  }
}
