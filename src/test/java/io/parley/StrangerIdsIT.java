package io.parley;

import static io.parley.testing.WsClient.frame;
import static io.parley.testing.WsClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.WsClient;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 39: requests naming conversations that do not exist start no conversation entity, and
 * reads are rate limited per user like sends. One node has its limits lifted, so that only the
 * entities are at stake there; the other keeps the default read limit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StrangerIdsIT {
  private static final int RANDOM_IDS = 150;
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir static Path temp;
  ParleyProcess open;
  ParleyProcess limited;

  /** The two nodes are clusters of their own: they start, and stop, side by side. */
  @BeforeAll
  void start() {
    CompletableFuture<ParleyProcess> starting = CompletableFuture.supplyAsync(() -> ParleyProcess.start(temp, Map.of()));
    try {
      // The switch that lifts the send limit for the benchmark lifts reads too.
      open = ParleyProcess.start(temp, Map.of(
          "PARLEY_RATE_LIMIT_PER_MINUTE", "1000000", "PARLEY_RATE_LIMIT_BURST", "100000",
          "PARLEY_RATE_LIMIT_GROUP_CHANGES_PER_MINUTE", "1000000", "PARLEY_RATE_LIMIT_GROUP_CHANGES_BURST", "100000"));
    } finally {
      limited = starting.join();
    }
  }

  @AfterAll
  void stop() {
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
      if (limited != null) {
        limited.close();
      }
    });
    if (open != null) {
      open.close();
    }
    stopping.join();
  }

  private static String user(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String randomGroup() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return "g." + HexFormat.of().formatHex(bytes);
  }

  @Test
  void requestsOnIdsThatWereNeverStoredStartNoEntityAndAreAnsweredAsBefore() {
    ApiClient api = new ApiClient(open);
    String alice = user("alice");
    String bob = user("bob");
    String aliceToken = api.token(alice);
    String direct = SharedChatNode.directId(alice, bob);
    try (WsClient ws = WsClient.connect(open, aliceToken, "phone")) {
      ws.await(type("hello"));
      // Two conversations that exist, so that the gauge of conversation entities is there.
      String group = ws.request(frame("conversation.create").put("title", "real").set("members",
          ApiClient.JSON.createArrayNode().add(bob))).get("conversation_id").asText();
      assertEquals("msg.ack", ws.request(send(group, "g1")).get("type").asText());
      assertEquals("msg.ack", ws.request(send(direct, "d1")).get("type").asText());
      double before = ColdTierIT.runningConversations(open);

      Map<String, ObjectNode> requests = new LinkedHashMap<>();
      Map<String, Predicate<JsonNode>> expected = new HashMap<>();
      for (int i = 0; i < RANDOM_IDS; i++) {
        String id = randomGroup();
        String mine = SharedChatNode.directId(alice, "x" + HexFormat.of().toHexDigits(RANDOM.nextInt()));
        String strangers = SharedChatNode.directId("y" + i + "-" + bob, "z" + i + "-" + bob);
        add(requests, expected, "h" + i, frame("history.get").put("conversation_id", id), error("not_found"));
        add(requests, expected, "m" + i, frame("conversation.members").put("conversation_id", id), error("not_found"));
        add(requests, expected, "x" + i, frame("msg.delete").put("conversation_id", id).put("seq", 1),
            error("not_found"));
        add(requests, expected, "l" + i, frame("conversation.leave").put("conversation_id", id), error("not_found"));
        add(requests, expected, "r" + i, frame("conversation.set_role").put("conversation_id", id)
            .put("user_id", bob).put("role", "admin"), error("not_found"));
        add(requests, expected, "a" + i, frame("conversation.add_members").put("conversation_id", id)
            .set("members", ApiClient.JSON.createArrayNode().add(bob)), error("not_found"));
        add(requests, expected, "s" + i, send(id, "s" + i), error("not_found"));
        add(requests, expected, "e" + i, frame("msg.read").put("conversation_id", id).put("seq", 1),
            error("not_member"));
        // A direct conversation of alice's with no message reads empty, as it always did.
        add(requests, expected, "d" + i, frame("history.get").put("conversation_id", mine),
            f -> f.path("type").asText().equals("history") && f.get("messages").isEmpty()
                && !f.get("has_more").asBoolean());
        add(requests, expected, "o" + i, frame("conversation.members").put("conversation_id", mine),
            f -> f.path("type").asText().equals("members") && f.get("members").size() == 2);
        add(requests, expected, "t" + i, frame("history.get").put("conversation_id", strangers), error("not_member"));
        add(requests, expected, "u" + i, send(strangers, "u" + i), error("not_member"));
        add(requests, expected, "v" + i, frame("msg.delete").put("conversation_id", mine).put("seq", 1),
            error("not_found"));
        add(requests, expected, "w" + i, frame("conversation.leave").put("conversation_id", mine), error("not_found"));
      }
      requests.values().forEach(ws::send);
      Map<String, JsonNode> replies = replies(ws, requests.keySet());
      expected.forEach((reqId, check) -> assertTrue(check.test(replies.get(reqId)), reqId + ": " + replies.get(reqId)));

      String id = randomGroup();
      ApiClient.Response messages = api.get(aliceToken, "/v1/conversations/" + id + "/messages");
      assertEquals(404, messages.status(), messages.toString());
      assertEquals("not_found", messages.body().get("code").asText());
      assertEquals(404, api.get(aliceToken, "/v1/conversations/" + id + "/members").status());
      assertEquals(404, api.delete(aliceToken, "/v1/conversations/" + id + "/messages/1", "").status());

      assertTrue(ColdTierIT.runningConversations(open) <= before,
          "conversation entities before " + before + ", after " + ColdTierIT.runningConversations(open));
      // The conversations that exist still answer from their entities.
      JsonNode history = ws.request(frame("history.get").put("conversation_id", group));
      assertEquals(1, history.get("messages").size(), history.toString());
      JsonNode directHistory = ws.request(frame("history.get").put("conversation_id", direct));
      assertEquals(1, directHistory.get("messages").size(), directHistory.toString());
    }
  }

  @Test
  void readsPastTheUserLimitAreRateLimitedOverWebSocketAndHttp() {
    ApiClient api = new ApiClient(limited);
    String carol = user("carol");
    String token = api.token(carol);
    String conversation = SharedChatNode.directId(carol, user("dave"));
    try (WsClient ws = WsClient.connect(limited, token, "phone")) {
      ws.await(type("hello"));
      assertEquals("msg.ack", ws.request(send(conversation, "first")).get("type").asText());
      // The default allows 200 at once, then 10 a second: a client paging at start-up is never refused.
      Map<String, ObjectNode> requests = new LinkedHashMap<>();
      for (int i = 0; i < 400; i++) {
        requests.put("h" + i, frame("history.get").put("conversation_id", conversation).put("req_id", "h" + i));
      }
      requests.values().forEach(ws::send);
      Map<String, JsonNode> replies = replies(ws, requests.keySet());
      for (int i = 0; i < 150; i++) {
        assertEquals("history", replies.get("h" + i).path("type").asText(), replies.get("h" + i).toString());
      }
      JsonNode refused = replies.values().stream().filter(error("rate_limited")).findFirst()
          .orElseThrow(() -> new AssertionError("no read refused of 400"));
      assertTrue(refused.get("retry_after_ms").asLong() > 0, refused.toString());
    }
    ApiClient.Response limitedRead = null;
    for (int i = 0; i < 1000 && (limitedRead == null || limitedRead.status() != 429); i++) {
      limitedRead = api.get(token, "/v1/conversations/" + conversation + "/messages");
    }
    assertEquals(429, limitedRead.status(), limitedRead.toString());
    assertEquals("rate_limited", limitedRead.body().get("code").asText());
    assertTrue(limitedRead.body().get("retry_after_ms").asLong() > 0, limitedRead.toString());
  }

  private static ObjectNode send(String conversationId, String clientMsgId) {
    return frame("msg.send").put("conversation_id", conversationId).put("client_msg_id", clientMsgId)
        .put("content", "hello");
  }

  private static void add(Map<String, ObjectNode> requests, Map<String, Predicate<JsonNode>> expected, String reqId,
      ObjectNode request, Predicate<JsonNode> check) {
    requests.put(reqId, request.put("req_id", reqId));
    expected.put(reqId, check);
  }

  private static Predicate<JsonNode> error(String code) {
    return f -> f != null && f.path("type").asText().equals("error") && f.path("code").asText().equals(code);
  }

  /** The reply to each of {@code reqIds}, in whatever order they come. */
  private static Map<String, JsonNode> replies(WsClient ws, java.util.Collection<String> reqIds) {
    Map<String, JsonNode> replies = new HashMap<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (replies.size() < reqIds.size()) {
      JsonNode next = ws.poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
          .orElseThrow(() -> new AssertionError("replies to " + replies.size() + " of " + reqIds.size()));
      String reqId = next.path("req_id").asText(null);
      if (reqId != null && reqIds.contains(reqId)) {
        replies.put(reqId, next);
      }
    }
    return replies;
  }
}
