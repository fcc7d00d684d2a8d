package io.parley;

import static io.parley.testing.WsClient.frame;
import static io.parley.testing.WsClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.WsClient;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Presence subscriptions (hidden from strangers) and typing indicators. */
class PresenceAndTypingIT extends SharedChatNode {
  @Test
  void typingIsRelayedToTheOtherMembersOnly() {
    String alice = user("alice");
    String bob = user("bob");
    String conversation = directId(alice, bob);
    try (WsClient aliceWs = connect(alice, "phone"); WsClient bobWs = connect(bob, "phone")) {
      aliceWs.request(send(conversation, "t0", "hello"));
      aliceWs.send(frame("typing").put("conversation_id", conversation));
      JsonNode typing = bobWs.await(type("typing"));
      assertEquals(alice, typing.get("user_id").asText());
      assertEquals(conversation, typing.get("conversation_id").asText());
      aliceWs.request(frame("ping"));
      assertFalse(aliceWs.all().stream().anyMatch(type("typing")));
    }
  }

  /**
   * PROTOCOL.md: a frame with no defined reply gets none when it succeeds, and an error when it
   * fails. Typing from someone who is not a member is refused with its req_id and told to no one;
   * a member's gets no frame at all. (A typing's refusal comes apart from the replies' order, so the
   * checks for an absent frame run once the conversation has answered: after the notice reached
   * the other member, and a ping after that.)
   */
  @Test
  void typingFromSomeoneNotInTheConversationIsRefusedWithItsReqIdAndAMembersGetsNoReply() {
    String alice = user("alice");
    String bob = user("bob");
    String mallory = user("mallory");
    String direct = directId(alice, bob);
    try (WsClient aliceWs = connect(alice, "phone"); WsClient bobWs = connect(bob, "phone");
        WsClient malloryWs = connect(mallory, "phone")) {
      String group = aliceWs.request(frame("conversation.create").put("title", "Crag")
          .set("members", ApiClient.JSON.createArrayNode().add(bob))).get("conversation_id").asText();
      aliceWs.request(send(direct, "t0", "hello"));

      malloryWs.send(typing("g", group));
      malloryWs.send(typing("d", direct));
      // Conversations that never stored anything, as docs/protocol.md answers their other frames.
      malloryWs.send(typing("mine", directId(mallory, user("nobody"))));
      malloryWs.send(typing("theirs", directId(user("someone"), user("else"))));
      malloryWs.send(typing("none", user("g.never")));
      for (String reqId : List.of("g", "d", "theirs", "none")) {
        JsonNode refused = malloryWs.await(WsClient.reply(reqId));
        assertEquals("error", refused.get("type").asText(), refused.toString());
        assertEquals(reqId.equals("none") ? "not_found" : "not_member", refused.get("code").asText(), refused.toString());
      }
      malloryWs.request(frame("ping"));
      assertTrue(malloryWs.all().stream().noneMatch(WsClient.reply("mine")), malloryWs.all().toString());

      bobWs.send(typing("b", group));
      // Alice's first typing notice is bob's: none of mallory's reached her.
      JsonNode told = aliceWs.await(type("typing"));
      assertEquals(bob, told.get("user_id").asText());
      assertEquals(group, told.get("conversation_id").asText());
      bobWs.request(frame("ping"));
      assertTrue(bobWs.all().stream().noneMatch(WsClient.reply("b")), bobWs.all().toString());
    }
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode typing(String reqId, String conversationId) {
    return frame("typing").put("req_id", reqId).put("conversation_id", conversationId);
  }

  @Test
  void presenceIsReportedNowAndOnEachChange() {
    String alice = user("alice");
    String bob = user("bob");
    try (WsClient aliceWs = connect(alice, "phone")) {
      // Only someone bob has written to sees his presence (he writes over HTTP, staying offline).
      ApiClient.Response written = api.post(api.token(bob), "/v1/messages",
          "{\"conversation_id\":\"" + directId(alice, bob) + "\",\"client_msg_id\":\"p1\",\"content\":\"hi\"}");
      assertEquals(200, written.status(), written.toString());
      aliceWs.send(frame("presence.subscribe").set("user_ids", ApiClient.JSON.createArrayNode().add(bob)));
      // Bob never connected: offline with no last_seen, as the hidden answer (which alice may get
      // first, until the message's copy reaches bob's entity) looks.
      JsonNode offline = aliceWs.await(type("presence"));
      assertEquals(bob, offline.get("user_id").asText());
      assertEquals("offline", offline.get("status").asText());
      assertFalse(offline.has("last_seen"), offline.toString());
      java.util.function.Predicate<JsonNode> shown = f -> type("presence").test(f) && f.has("last_seen");
      WsClient bobWs = connect(bob, "phone");
      assertEquals("online", aliceWs.await(shown).get("status").asText());
      long before = System.currentTimeMillis();
      bobWs.close();
      JsonNode gone = aliceWs.await(shown);
      assertEquals("offline", gone.get("status").asText());
      assertTrue(gone.get("last_seen").asLong() >= before - 1000);
      aliceWs.send(frame("presence.unsubscribe").set("user_ids", ApiClient.JSON.createArrayNode().add(bob)));
      aliceWs.request(frame("ping"));
      connect(bob, "phone").close();
      aliceWs.request(frame("ping"));
      assertEquals(2, aliceWs.all().stream().filter(shown).count());
    }
  }

  @Test
  void aStrangersPresenceIsHiddenUntilAConversationIsShared() {
    String alice = user("alice");
    String bob = user("bob");
    try (WsClient aliceWs = connect(alice, "phone"); WsClient bobWs = connect(bob, "phone")) {
      aliceWs.send(frame("presence.subscribe").set("user_ids", ApiClient.JSON.createArrayNode().add(bob).add(user("nobody"))));
      for (int i = 0; i < 2; i++) {
        // Bob is online, and "nobody" does not exist: both look the same, with no last_seen.
        JsonNode hidden = aliceWs.await(type("presence"));
        assertEquals("offline", hidden.get("status").asText(), hidden.toString());
        assertFalse(hidden.has("last_seen"), hidden.toString());
      }
      // Bob writes to alice: from then on she sees him.
      bobWs.request(send(directId(alice, bob), "hello", "hi alice"));
      JsonNode shown = aliceWs.await(f -> type("presence").test(f) && f.has("last_seen"));
      assertEquals(bob, shown.get("user_id").asText());
      assertEquals("online", shown.get("status").asText());
    }
  }
}
