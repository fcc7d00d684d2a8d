package io.parley;

import static io.parley.testing.WsClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.WsClient;
import org.junit.jupiter.api.Test;

/** Per-user rate limits on sending: messages, and mentions of everyone; the excess is not stored. */
class RateLimitsIT extends SharedChatNode {
  @Test
  void sendingIsRateLimitedPerUserAndTheExcessIsNotStored() {
    String alice = user("alice");
    String conversation = directId(alice, user("bob"));
    try (WsClient ws = connect(alice, "phone")) {
      JsonNode limited = null;
      int accepted = 0;
      for (int i = 0; i < 40 && limited == null; i++) {
        JsonNode reply = ws.request(send(conversation, "rl" + i, "burst " + i));
        if ("error".equals(reply.get("type").asText())) {
          limited = reply;
        } else {
          accepted++;
        }
      }
      assertNotNull(limited, "the burst was limited");
      assertEquals("rate_limited", limited.get("code").asText());
      assertTrue(limited.get("retry_after_ms").asLong() > 0);
      assertTrue(accepted >= 20 && accepted <= 21, "burst of 20 (plus refill) accepted: " + accepted);
      JsonNode history = ws.request(frame("history.get").put("conversation_id", conversation).put("limit", 200));
      assertEquals(accepted, history.get("messages").size());
    }
  }

  @Test
  void mentionsOfEveryoneAreRateLimitedPerSender() {
    String alice = user("alice");
    try (WsClient aliceWs = connect(alice, "phone")) {
      JsonNode created = aliceWs.request(frame("conversation.create").put("title", "Announcements")
          .set("members", ApiClient.JSON.createArrayNode().add(user("bob"))));
      String group = created.get("conversation_id").asText();
      java.util.function.IntFunction<JsonNode> everyone = i -> aliceWs.request((com.fasterxml.jackson.databind.node.ObjectNode)
          frame("msg.send").put("conversation_id", group).put("client_msg_id", "all-" + i).put("content", "news " + i)
          .set("mentions", ApiClient.JSON.createArrayNode().add("@all")));
      for (int i = 1; i <= 3; i++) {
        assertEquals("msg.ack", everyone.apply(i).get("type").asText(), "within the burst of three");
      }
      JsonNode refused = everyone.apply(4);
      assertEquals("rate_limited", refused.get("code").asText(), refused.toString());
      assertTrue(refused.get("retry_after_ms").asLong() > 0);
      JsonNode plain = aliceWs.request(frame("msg.send").put("conversation_id", group).put("client_msg_id", "plain")
          .put("content", "no mention"));
      assertEquals("msg.ack", plain.get("type").asText(), "other messages are not held up");
    }
  }
}
