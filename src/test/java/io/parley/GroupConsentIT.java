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
import io.parley.testing.WsClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consent to groups over real WebSockets (issue 39, "Fan-out without consent"), on a node with the
 * production default (only the user's contacts, those they wrote to, add directly) and small daily limits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupConsentIT {
  static final int GROUPS_PER_DAY = 2;
  static final int MEMBERS_PER_DAY = 6;

  ParleyProcess node;
  ApiClient api;

  @BeforeAll
  void startNode(@TempDir Path temp) {
    // Dev tokens let the test be anyone; their node's default (everyone) is set back to production's.
    node = ParleyProcess.start(temp, Map.of("PARLEY_GROUP_ADDS_DEFAULT", "contacts",
        "PARLEY_GROUPS_CREATED_PER_DAY", Integer.toString(GROUPS_PER_DAY),
        "PARLEY_MEMBERS_ADDED_PER_DAY", Integer.toString(MEMBERS_PER_DAY)));
    api = new ApiClient(node);
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  private static String user(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private WsClient connect(String userId, String deviceId) {
    WsClient client = WsClient.connect(node, api.token(userId), deviceId);
    client.await(type("hello"));
    return client;
  }

  private static ArrayNode ids(String... ids) {
    ArrayNode array = ApiClient.JSON.createArrayNode();
    for (String id : ids) {
      array.add(id);
    }
    return array;
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }

  private static ObjectNode send(String conversationId, String clientMsgId, String content) {
    return frame("msg.send").put("conversation_id", conversationId).put("client_msg_id", clientMsgId)
        .put("content", content);
  }

  private static List<String> members(WsClient client, String group) {
    JsonNode page = client.request(frame("conversation.members").put("conversation_id", group));
    List<String> members = new ArrayList<>();
    page.get("members").forEach(member -> members.add(member.get("user_id").asText()));
    return members;
  }

  @Test
  void strangersAreInvitedAndBecomeMembersOnlyByAccepting() {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    String dave = user("dave");
    String ghost = user("ghost"); // an id no one ever used
    try (WsClient aliceWs = connect(alice, "phone"); WsClient bobWs = connect(bob, "phone");
        WsClient daveWs = connect(dave, "phone")) {
      String direct = "d:" + String.join(":", new java.util.TreeSet<>(List.of(alice, bob)));
      aliceWs.request(send(direct, "hi", "hi bob"));
      // Her message alone would not make her bob's contact; his answer does, once stored in his inbox.
      bobWs.request(send(direct, "re", "hi alice"));
      bobWs.await(f -> "msg.new".equals(f.path("type").asText()) && "re".equals(f.path("client_msg_id").asText()));

      JsonNode created = aliceWs.request(frame("conversation.create").put("title", "Climbing")
          .set("members", ids(bob, carol, ghost)));
      assertEquals("conversation.created", created.get("type").asText(), created.toString());
      String group = created.get("conversation_id").asText();
      assertEquals(List.of(alice, bob), strings(created.get("members")), "bob talked to alice");
      assertEquals(List.of(carol, ghost), strings(created.get("invited")),
          "a stranger and an unknown id look the same: both invited");
      bobWs.await(f -> "conversation.updated".equals(f.path("type").asText())
          && group.equals(f.path("conversation_id").asText()));

      // Carol was offline: she finds the invite when she connects, and is no member until she accepts.
      try (WsClient carolWs = connect(carol, "phone")) {
        JsonNode shown = carolWs.await(type("conversation.invited"));
        assertEquals(group, shown.get("conversation_id").asText());
        assertEquals("Climbing", shown.get("title").asText());
        assertEquals(alice, shown.get("inviter_id").asText());
        JsonNode listed = carolWs.request(frame("invites.get"));
        assertEquals(1, listed.get("invites").size(), listed.toString());
        assertEquals(group, listed.get("invites").get(0).get("conversation_id").asText());
        assertEquals("not_member", carolWs.request(send(group, "c0", "before")).get("code").asText());

        JsonNode accepted = carolWs.request(frame("conversation.accept_invite").put("conversation_id", group));
        assertEquals("conversation.invite_answered", accepted.get("type").asText(), accepted.toString());
        assertTrue(accepted.get("accepted").asBoolean());
        JsonNode joined = carolWs.await(f -> "conversation.updated".equals(f.path("type").asText()));
        assertTrue(strings(joined.get("members")).contains(carol), joined.toString());
        assertEquals("msg.ack", carolWs.request(send(group, "c1", "thanks")).get("type").asText());
        assertEquals(0, carolWs.request(frame("invites.get")).get("invites").size(), "answered, so gone");
        assertEquals("not_found", carolWs.request(frame("conversation.accept_invite").put("conversation_id", group))
            .get("code").asText(), "an invite is answered once");
      }
      assertEquals(List.of(alice, bob, carol).stream().sorted().toList(), members(aliceWs, group), "not the ghost");

      // A plain member may not add anyone: refused before anyone is asked or invited.
      JsonNode refused = bobWs.request(frame("conversation.add_members").put("conversation_id", group)
          .set("members", ids(dave)));
      assertEquals("forbidden", refused.get("code").asText(), refused.toString());
      assertEquals(0, daveWs.request(frame("invites.get")).get("invites").size(), "no invite from a refused request");

      // Adding a stranger to the group: the adder is told, the stranger's connected device is shown it.
      JsonNode added = aliceWs.request(frame("conversation.add_members").put("conversation_id", group)
          .set("members", ids(dave)));
      assertEquals("conversation.members_added", added.get("type").asText(), added.toString());
      assertEquals(List.of(), strings(added.get("added")));
      assertEquals(List.of(dave), strings(added.get("invited")));
      assertEquals(group, daveWs.await(type("conversation.invited")).get("conversation_id").asText());
      JsonNode declined = daveWs.request(frame("conversation.decline_invite").put("conversation_id", group));
      assertFalse(declined.get("accepted").asBoolean(), declined.toString());
      assertEquals(0, daveWs.request(frame("invites.get")).get("invites").size());
      assertFalse(members(aliceWs, group).contains(dave));
      assertEquals("not_member", daveWs.request(send(group, "d0", "let me in")).get("code").asText());
    }
  }

  /**
   * An invite whose inviter may no longer add anyone (here: the inviter left the group) is refused
   * when accepted, and dropped then: it stayed in the list, to be refused again at every try.
   */
  @Test
  void anInviteThatNoLongerHoldsIsDroppedWhenAccepted() {
    String alice = user("alice");
    String gina = user("gina");
    try (WsClient aliceWs = connect(alice, "phone"); WsClient ginaWs = connect(gina, "phone")) {
      ginaWs.request(frame("settings.set").put("group_adds", "nobody"));
      JsonNode created = aliceWs.request(frame("conversation.create").put("title", "Gone").set("members", ids(gina)));
      assertEquals(List.of(gina), strings(created.get("invited")), created.toString());
      String group = created.get("conversation_id").asText();
      aliceWs.send(frame("conversation.leave").put("conversation_id", group));
      assertEquals("pong", aliceWs.request(frame("ping")).get("type").asText());

      JsonNode refused = ginaWs.request(frame("conversation.accept_invite").put("conversation_id", group));
      assertEquals("not_member", refused.get("code").asText(), refused.toString());
      assertTrue(refused.get("message").asText().contains("no longer holds"), refused.toString());
      assertEquals(0, ginaWs.request(frame("invites.get")).get("invites").size(), "the dead invite is gone");
      assertEquals("not_found", ginaWs.request(frame("conversation.accept_invite").put("conversation_id", group))
          .get("code").asText());
    }
  }

  /**
   * An owner who removes someone only invited revokes the invite: before, `removed` answered but
   * the invite stayed listed and an accept joined the group.
   */
  @Test
  void removingAnInviteeRevokesTheInvite() {
    String alice = user("alice");
    String hank = user("hank");
    try (WsClient aliceWs = connect(alice, "phone"); WsClient hankWs = connect(hank, "phone")) {
      hankWs.request(frame("settings.set").put("group_adds", "nobody"));
      JsonNode created = aliceWs.request(frame("conversation.create").put("title", "Revoked").set("members", ids(hank)));
      assertEquals(List.of(hank), strings(created.get("invited")), created.toString());
      String group = created.get("conversation_id").asText();
      hankWs.await(type("conversation.invited"));

      ApiClient.Response removed = api.delete(api.token(alice), "/v1/conversations/" + group + "/members",
          "{\"members\":[\"" + hank + "\"]}");
      assertEquals(200, removed.status(), String.valueOf(removed.body()));
      assertEquals(List.of(hank), strings(removed.body().get("removed")));
      JsonNode revoked = hankWs.await(type("conversation.invite_revoked"));
      assertEquals(group, revoked.get("conversation_id").asText(), "his devices are told it is gone");
      assertEquals(0, hankWs.request(frame("invites.get")).get("invites").size(), "the invite is gone");
      JsonNode accepted = hankWs.request(frame("conversation.accept_invite").put("conversation_id", group));
      assertEquals("not_found", accepted.get("code").asText(), accepted.toString());
      assertEquals(List.of(alice), members(aliceWs, group));
    }
  }

  @Test
  void whoMayAddMeIsTheUsersOwnChoice() {
    String alice = user("alice");
    String erin = user("erin");
    String frank = user("frank");
    try (WsClient aliceWs = connect(alice, "phone"); WsClient erinWs = connect(erin, "phone");
        WsClient frankWs = connect(frank, "phone")) {
      assertEquals("contacts", erinWs.request(frame("settings.get")).get("group_adds").asText(), "the default");
      assertEquals("everyone", erinWs.request(frame("settings.set").put("group_adds", "everyone"))
          .get("group_adds").asText());
      assertEquals("bad_request", erinWs.request(frame("settings.set").put("group_adds", "friends"))
          .get("code").asText());
      // Frank shares a conversation with alice, but lets nobody add him.
      aliceWs.request(send("d:" + String.join(":", new java.util.TreeSet<>(List.of(alice, frank))), "hi", "hi"));
      frankWs.request(frame("settings.set").put("group_adds", "nobody"));

      JsonNode created = aliceWs.request(frame("conversation.create").put("title", "Picnic")
          .set("members", ids(erin, frank)));
      assertEquals(List.of(alice, erin), strings(created.get("members")), created.toString());
      assertEquals(List.of(frank), strings(created.get("invited")));
      assertEquals("Picnic", frankWs.await(type("conversation.invited")).get("title").asText());
      // Both are his data: his export holds them.
      List<JsonNode> exported = api.getLines(api.token(frank), "/v1/me/export").lines();
      assertTrue(exported.stream().anyMatch(line -> "settings".equals(line.path("type").asText())
          && "nobody".equals(line.path("group_adds").asText())), exported.toString());
      assertTrue(exported.stream().anyMatch(line -> "invite".equals(line.path("type").asText())
          && alice.equals(line.path("inviter_id").asText())), exported.toString());

      // The same over HTTP.
      String token = api.token(frank);
      assertEquals("nobody", api.get(token, "/v1/me/settings").body().get("group_adds").asText());
      assertEquals("contacts", api.put(token, "/v1/me/settings", "{\"group_adds\":\"contacts\"}").body()
          .get("group_adds").asText());
      assertEquals(400, api.put(token, "/v1/me/settings", "{\"group_adds\":\"friends\"}").status());
      String group = created.get("conversation_id").asText();
      JsonNode listed = api.get(token, "/v1/invites").body();
      assertEquals(group, listed.get("invites").get(0).get("conversation_id").asText(), listed.toString());
      ApiClient.Response declined = api.post(token, "/v1/invites/" + group + "/decline", "");
      assertEquals(200, declined.status(), declined.toString());
      assertFalse(declined.body().get("accepted").asBoolean());
      assertEquals(0, api.get(token, "/v1/invites").body().get("invites").size());
      assertEquals(404, api.post(token, "/v1/invites/" + group + "/accept", "").status(), "answered already");
    }
  }

  @Test
  void aRequestThatWouldPassADailyLimitIsRefusedWhole() {
    String gina = user("gina");
    List<String> strangers = new ArrayList<>();
    for (int i = 0; i < MEMBERS_PER_DAY + 1; i++) {
      strangers.add(user("s" + i));
    }
    try (WsClient ginaWs = connect(gina, "phone")) {
      JsonNode created = ginaWs.request(frame("conversation.create").put("title", "First")
          .set("members", ids(strangers.subList(0, 4).toArray(String[]::new))));
      String group = created.get("conversation_id").asText();
      assertEquals(4, created.get("invited").size(), created.toString());

      JsonNode refused = ginaWs.request(frame("conversation.add_members").put("conversation_id", group)
          .set("members", ids(strangers.subList(4, 7).toArray(String[]::new))));
      assertEquals("rate_limited", refused.get("code").asText(), refused.toString());
      assertTrue(refused.get("message").asText().contains("members added or invited a day"), refused.toString());
      assertTrue(refused.get("retry_after_ms").asLong() > 0);
      for (String stranger : strangers.subList(4, 7)) {
        try (WsClient strangerWs = connect(stranger, "phone")) {
          assertEquals(0, strangerWs.request(frame("invites.get")).get("invites").size(), "nothing half-done");
        }
      }
      JsonNode withinTheLimit = ginaWs.request(frame("conversation.add_members").put("conversation_id", group)
          .set("members", ids(strangers.subList(4, 6).toArray(String[]::new))));
      assertEquals(2, withinTheLimit.get("invited").size(), withinTheLimit.toString());

      assertEquals("conversation.created", ginaWs.request(frame("conversation.create").put("title", "Second")
          .set("members", ids())).get("type").asText());
      JsonNode third = ginaWs.request(frame("conversation.create").put("title", "Third").set("members", ids()));
      assertEquals("rate_limited", third.get("code").asText(), third.toString());
      assertTrue(third.get("message").asText().contains("at most " + GROUPS_PER_DAY + " groups"), third.toString());
    }
  }
}
