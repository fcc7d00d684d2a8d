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

/** Groups: created, changed and left, with updates to every member; announcement channels. */
class GroupChatIT extends SharedChatNode {
  @Test
  void groupsAreCreatedChangedAndLeftWithUpdatesToEveryMember() {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    String dave = user("dave");
    try (WsClient aliceWs = connect(alice, "phone");
        WsClient bobWs = connect(bob, "phone");
        WsClient daveWs = connect(dave, "phone")) {
      JsonNode created = aliceWs.request(frame("conversation.create").put("title", "Climbing")
          .set("members", ApiClient.JSON.createArrayNode().add(bob).add(carol)));
      assertEquals("conversation.created", created.get("type").asText());
      String group = created.get("conversation_id").asText();
      assertTrue(group.startsWith("g."));
      assertEquals("Climbing", created.get("title").asText());
      assertEquals(List.of(alice, bob, carol), strings(created.get("members")));

      aliceWs.request(send(group, "g1", "welcome"));
      assertEquals("welcome", bobWs.await(msgNew(group, 1)).get("content").asText());

      JsonNode outsider = daveWs.request(send(group, "x", "let me in"));
      assertEquals("error", outsider.get("type").asText());
      assertEquals("not_member", outsider.get("code").asText());

      aliceWs.send(frame("conversation.add_members").put("conversation_id", group)
          .set("members", ApiClient.JSON.createArrayNode().add(dave)));
      JsonNode updated = daveWs.await(type("conversation.updated"));
      assertEquals(group, updated.get("conversation_id").asText());
      assertEquals(List.of(alice, bob, carol, dave), strings(updated.get("members")));
      bobWs.await(f -> "conversation.updated".equals(f.path("type").asText()) && f.get("members").size() == 4);
      // Dave sees the messages sent after he joined, and can read history.
      aliceWs.request(send(group, "g2", "hi dave"));
      assertEquals("hi dave", daveWs.await(msgNew(group, 2)).get("content").asText());
      assertFalse(daveWs.all().stream().anyMatch(msgNew(group, 1)), "not the ones from before he joined");

      bobWs.send(frame("conversation.leave").put("conversation_id", group));
      JsonNode afterLeave = aliceWs.await(f -> "conversation.updated".equals(f.path("type").asText())
          && !strings(f.get("members")).contains(bob));
      assertEquals(List.of(alice, carol, dave), strings(afterLeave.get("members")));
      bobWs.await(f -> "conversation.updated".equals(f.path("type").asText())
          && !strings(f.get("members")).contains(bob));
      JsonNode bobSend = bobWs.request(send(group, "b1", "still here?"));
      assertEquals("not_member", bobSend.get("code").asText());

      ApiClient.Response http = api.post(api.token(alice), "/v1/groups", "{\"title\":\"Books\",\"members\":[\"" + bob + "\"]}");
      assertEquals(200, http.status());
      assertEquals("Books", http.body().get("title").asText());
      assertTrue(http.body().get("conversation_id").asText().startsWith("g."));

      // 200 characters outside the BMP (400 UTF-16 units): a title as long as the contract allows.
      String climbers = "\uD83E\uDDD7".repeat(200);
      JsonNode longTitle = aliceWs.request(frame("conversation.create").put("title", climbers)
          .set("members", ApiClient.JSON.createArrayNode().add(bob)));
      assertEquals("conversation.created", longTitle.get("type").asText(), longTitle.toString());
      assertEquals(climbers, longTitle.get("title").asText());
    }
  }

  @Test
  void anAnnouncementChannelRefusesAMembersMessageAndOnlyItsOwnerAndAdminsChangeIt() {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    try (WsClient aliceWs = connect(alice, "phone"); WsClient bobWs = connect(bob, "phone")) {
      JsonNode created = aliceWs.request(frame("conversation.create").put("title", "News")
          .set("members", ApiClient.JSON.createArrayNode().add(bob).add(carol)));
      String group = created.get("conversation_id").asText();
      assertEquals(alice, created.get("owner").asText(), created.toString());
      assertEquals("everyone", created.get("posting").asText());

      aliceWs.send(frame("conversation.set_posting").put("conversation_id", group).put("posting", "admins"));
      JsonNode updated = bobWs.await(f -> "conversation.updated".equals(f.path("type").asText())
          && "admins".equals(f.path("posting").asText()));
      assertEquals(alice, updated.get("owner").asText(), updated.toString());

      JsonNode refused = bobWs.request(send(group, "b1", "may I?"));
      assertEquals("error", refused.get("type").asText(), refused.toString());
      assertEquals("forbidden", refused.get("code").asText());
      assertTrue(refused.get("message").asText().contains("admins"), refused.toString());
      ApiClient.Response overHttp = api.post(api.token(bob), "/v1/messages",
          "{\"conversation_id\":\"" + group + "\",\"client_msg_id\":\"b2\",\"content\":\"please\"}");
      assertEquals(403, overHttp.status(), overHttp.toString());
      assertEquals("forbidden", overHttp.body().get("code").asText());
      JsonNode posted = aliceWs.request(send(group, "a1", "welcome"));
      assertEquals(1, posted.get("seq").asLong(), "nothing of bob's was stored: " + posted);

      // Members by HTTP, in bulk: a plain member may not, the owner may. An id named twice is
      // answered once.
      String members = "{\"members\":[\"" + carol + "\",\"" + carol + "\"]}";
      assertEquals(403, api.delete(api.token(bob), "/v1/conversations/" + group + "/members", members).status());
      ApiClient.Response removed = api.delete(api.token(alice), "/v1/conversations/" + group + "/members", members);
      assertEquals(200, removed.status(), removed.toString());
      assertEquals(List.of(carol), strings(removed.body().get("removed")));
      bobWs.await(f -> "conversation.updated".equals(f.path("type").asText())
          && !strings(f.get("members")).contains(carol));
      ApiClient.Response readded = api.post(api.token(alice), "/v1/conversations/" + group + "/members", members);
      assertEquals(200, readded.status(), readded.toString());
      assertEquals(List.of(carol), strings(readded.body().get("added")));
      JsonNode page = bobWs.request(frame("conversation.members").put("conversation_id", group).put("limit", 2));
      assertEquals(2, page.get("members").size(), page.toString());
      ApiClient.Response rest = api.get(api.token(bob), "/v1/conversations/" + group + "/members?after="
          + page.get("next_after").asText());
      assertEquals(1, rest.body().get("members").size(), rest.toString());
      assertTrue(rest.body().get("next_after").isNull());
      List<String> roles = new java.util.ArrayList<>();
      page.get("members").forEach(m -> roles.add(m.get("role").asText()));
      rest.body().get("members").forEach(m -> roles.add(m.get("role").asText()));
      assertEquals(List.of("member", "member", "owner"), roles.stream().sorted().toList());
    }
  }

  /**
   * The owner renames a group, over the WebSocket or HTTP: each member's devices get
   * {@code conversation.updated} with the new title and their inbox shows it; a plain member may
   * not, and a title is checked as at creation (before, {@code conversation.rename} was
   * {@code unknown_type} and no route took it).
   */
  @Test
  void theOwnerRenamesAGroupAndEveryMemberSeesTheNewTitle() {
    String alice = user("alice");
    String bob = user("bob");
    try (WsClient aliceWs = connect(alice, "phone"); WsClient bobWs = connect(bob, "phone")) {
      String group = aliceWs.request(frame("conversation.create").put("title", "Climbing")
          .set("members", ApiClient.JSON.createArrayNode().add(bob))).get("conversation_id").asText();
      // No reply when it is done, as for set_role: the change shows as conversation.updated.
      aliceWs.send(frame("conversation.rename").put("req_id", "n1").put("conversation_id", group)
          .put("title", "Bouldering"));
      JsonNode renamed = aliceWs.await(f -> "n1".equals(f.path("req_id").asText())
          || "conversation.updated".equals(f.path("type").asText()) && "Bouldering".equals(f.path("title").asText()));
      assertEquals("conversation.updated", renamed.get("type").asText(), renamed.toString());
      bobWs.await(f -> "conversation.updated".equals(f.path("type").asText())
          && group.equals(f.path("conversation_id").asText()) && "Bouldering".equals(f.path("title").asText()));
      JsonNode refused = bobWs.request(frame("conversation.rename").put("conversation_id", group).put("title", "Mine"));
      assertEquals("forbidden", refused.path("code").asText(), refused.toString());

      ApiClient.Response overHttp = api.put(api.token(alice), "/v1/conversations/" + group + "/title",
          "{\"title\":\"Crags\"}");
      assertEquals(200, overHttp.status(), overHttp.toString());
      assertEquals("Crags", overHttp.body().get("title").asText());
      bobWs.await(f -> "conversation.updated".equals(f.path("type").asText()) && "Crags".equals(f.path("title").asText()));
      JsonNode inbox = api.get(api.token(bob), "/v1/inbox").body();
      assertEquals("Crags", inbox.get("items").get(0).get("title").asText(), inbox.toString());
      ApiClient.Response twoLines = api.put(api.token(alice), "/v1/conversations/" + group + "/title",
          "{\"title\":\"Crags\\u2028at night\"}");
      assertEquals(400, twoLines.status(), twoLines.toString());
    }
  }
}
