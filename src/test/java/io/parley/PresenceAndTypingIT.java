package io.parley;

import static io.parley.testing.WsClient.frame;
import static io.parley.testing.WsClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.WsClient;
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
      // Until the message's copy reaches bob's entity, alice may get the hidden answer first.
      java.util.function.Predicate<JsonNode> shown = f -> type("presence").test(f) && f.has("last_seen");
      JsonNode offline = aliceWs.await(shown);
      assertEquals(bob, offline.get("user_id").asText());
      assertEquals("offline", offline.get("status").asText());
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
      assertEquals(3, aliceWs.all().stream().filter(shown).count());
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
