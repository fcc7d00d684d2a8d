package io.parley;

import static io.parley.testing.WsClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the node holds of a user: push devices registered, the export of it all, and its erasure. */
class AccountDataIT extends SharedChatNode {
  @Test
  void pushDevicesRegisterAndUnregister() {
    try (WsClient ws = connect(user("alice"), "phone")) {
      JsonNode registered = ws.request(frame("device.register").put("platform", "apns").put("token", "abc123"));
      assertEquals("device.registered", registered.get("type").asText());
      ws.send(frame("device.unregister").put("platform", "apns").put("token", "abc123").put("req_id", "u1"));
      JsonNode pong = ws.request(frame("ping"));
      assertEquals("pong", pong.get("type").asText());
      assertFalse(ws.all().stream().anyMatch(WsClient.reply("u1")), "success of device.unregister has no reply");
      JsonNode bad = ws.request(frame("device.register").put("platform", "carrier-pigeon").put("token", "t"));
      assertEquals("bad_request", bad.get("code").asText());
    }
  }

  @Test
  void aUserExportsEverythingHeldAboutThemAsJsonLines() {
    String alice = user("alice");
    String bob = user("bob");
    String direct = directId(alice, bob);
    String group;
    try (WsClient aliceWs = connect(alice, "phone"); WsClient bobWs = connect(bob, "laptop")) {
      for (int i = 1; i <= 3; i++) {
        aliceWs.request(send(direct, "x" + i, "alice says " + i));
      }
      bobWs.request(send(direct, "y1", "bob says hi"));
      group = aliceWs.request(frame("conversation.create").put("title", "Export")
          .set("members", ApiClient.JSON.createArrayNode().add(bob))).get("conversation_id").asText();
      aliceWs.request(send(group, "g1", "in the group"));
      String left = aliceWs.request(frame("conversation.create").put("title", "Left")
          .set("members", ApiClient.JSON.createArrayNode().add(bob))).get("conversation_id").asText();
      aliceWs.request(send(left, "l1", "said before leaving"));
      aliceWs.send(frame("conversation.leave").put("conversation_id", left));
      aliceWs.await(f -> "conversation.updated".equals(f.path("type").asText())
          && left.equals(f.path("conversation_id").asText()) && !strings(f.get("members")).contains(alice));
      aliceWs.request(frame("device.register").put("platform", "fcm").put("token", "fcm-" + alice));
      aliceWs.send(frame("msg.read").put("conversation_id", direct).put("seq", 4));
      aliceWs.request(frame("ping")); // the read is stored once a later frame is answered
    }
    ApiClient.Response uploaded = api.post(api.token(alice), "/v1/media", "{\"never\":\"sent\"}");
    assertEquals(200, uploaded.status(), uploaded.toString());
    ApiClient.Lines export = api.getLines(api.token(alice), "/v1/me/export");
    assertEquals(200, export.status());
    assertTrue(export.contentType().startsWith("application/x-ndjson"), export.contentType());
    Map<String, List<JsonNode>> byType = export.lines().stream()
        .collect(java.util.stream.Collectors.groupingBy(line -> line.get("type").asText()));
    assertEquals(alice, byType.get("user").get(0).get("user_id").asText());
    assertEquals(List.of("phone"), byType.get("device").stream().map(d -> d.get("device_id").asText()).toList());
    assertEquals("fcm-" + alice, byType.get("push_token").get(0).get("token").asText());
    assertEquals(Set.of(direct, group), byType.get("membership").stream()
        .map(m -> m.get("conversation_id").asText()).collect(java.util.stream.Collectors.toSet()));
    JsonNode directEntry = byType.get("inbox_entry").stream()
        .filter(e -> e.get("conversation_id").asText().equals(direct)).findFirst().orElseThrow();
    assertEquals(4, directEntry.get("last_seq").asLong());
    assertEquals(0, directEntry.get("unread_count").asInt(), "her read mark is in it");
    // Every message she sent, hers only, with their content, in a group she left too (the member index has it).
    assertEquals(Set.of("alice says 1", "alice says 2", "alice says 3", "in the group", "said before leaving"),
        byType.get("message").stream().map(m -> m.get("content").asText()).collect(java.util.stream.Collectors.toSet()));
    assertEquals(5, byType.get("message").size());
    assertTrue(byType.get("message").stream().allMatch(m -> m.get("sender_id").asText().equals(alice)));
    // The receipts she gave, and media she uploaded even though she never sent it.
    JsonNode directReceipts = byType.get("receipts").stream()
        .filter(r -> r.get("conversation_id").asText().equals(direct)).findFirst().orElseThrow();
    assertEquals(4, directReceipts.get("read_seq").asLong(), directReceipts.toString());
    assertEquals(2, byType.get("receipts").size(), byType.get("receipts").toString());
    assertEquals(List.of(uploaded.body().get("media_url").asText()),
        byType.get("media").stream().map(m -> m.get("media_url").asText()).toList());
    assertEquals(uploaded.body().get("size").asLong(), byType.get("media").get(0).get("size").asLong());

    assertEquals(401, api.getLines(null, "/v1/me/export").status());
    // An export reads everything she ever stored: a second one soon after is fine, a third waits.
    assertEquals(200, api.getLines(api.token(alice), "/v1/me/export").status());
    assertEquals(429, api.getLines(api.token(alice), "/v1/me/export").status(), "exports are rate limited per user");
  }

  /**
   * A large group's members are rows, not in their user entity: the export still names the group
   * as a membership, with the read mark the member's row keeps.
   */
  @Test
  void aLargeGroupsMemberExportsTheMembershipAndTheirReadMark() {
    String alice = user("alice");
    String bob = user("bob");
    var members = ApiClient.JSON.createArrayNode().add(bob);
    for (int i = 0; i < 999; i++) {
      members.add(user("m" + i));
    }
    ApiClient.Response created = api.post(api.token(alice), "/v1/groups",
        ApiClient.JSON.createObjectNode().put("title", "Crowd").set("members", members).toString());
    assertEquals(200, created.status(), created.toString());
    assertTrue(created.body().path("large").asBoolean(), "1,001 members: large");
    String group = created.body().get("conversation_id").asText();
    try (WsClient aliceWs = connect(alice, "phone"); WsClient bobWs = connect(bob, "laptop")) {
      aliceWs.request(send(group, "c1", "hello crowd"));
      bobWs.send(frame("msg.read").put("conversation_id", group).put("seq", 1));
      bobWs.request(frame("ping")); // the read is stored once a later frame is answered
    }
    ApiClient.Lines export = api.getLines(api.token(bob), "/v1/me/export");
    assertEquals(200, export.status());
    List<JsonNode> ofGroup = export.lines().stream()
        .filter(line -> group.equals(line.path("conversation_id").asText())).toList();
    assertTrue(ofGroup.stream().anyMatch(line -> line.get("type").asText().equals("membership")), ofGroup.toString());
    JsonNode receipts = ofGroup.stream().filter(line -> line.get("type").asText().equals("receipts")).findFirst()
        .orElseThrow(() -> new AssertionError("no receipts line for the group: " + ofGroup));
    assertEquals(1, receipts.get("read_seq").asLong(), receipts.toString());
  }

  @Test
  void anErasedUsersMessagesBecomeTombstonesForTheOthersAndTheyLeaveTheirGroups() {
    String alice = user("alice");
    String bob = user("bob");
    String direct = directId(alice, bob);
    try (WsClient aliceWs = connect(alice, "phone"); WsClient bobWs = connect(bob, "phone")) {
      String group = aliceWs.request(frame("conversation.create").put("title", "Climbing")
          .set("members", ApiClient.JSON.createArrayNode().add(bob))).get("conversation_id").asText();
      aliceWs.request(send(direct, "d1", "my secret"));
      bobWs.request(send(direct, "d2", "bob's reply"));
      aliceWs.request(send(direct, "d3", "another secret"));
      aliceWs.request(send(group, "g1", "group secret"));
      bobWs.await(msgNew(direct, 3));
      bobWs.await(msgNew(group, 1));

      ApiClient.Response erased = api.delete(api.token(alice), "/v1/me", "");
      assertTrue(erased.status() == 202 || erased.status() == 200, erased.toString());
      assertEquals(alice, erased.body().get("user_id").asText());
      assertTrue(aliceWs.closesWithin(Duration.ofSeconds(10)), "the erased user's connections close");
      ApiClient.Response again = api.delete(api.token(alice), "/v1/me", "");
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (again.status() != 200 && System.nanoTime() < deadline) {
        assertEquals(202, again.status(), again.toString());
        again = api.delete(api.token(alice), "/v1/me", "");
      }
      assertEquals(200, again.status(), "asking again is fine, and says when it is done: " + again);
      assertEquals("done", again.body().get("erasure").asText());
      assertEquals(erased.body().get("requested_ts"), again.body().get("requested_ts"));

      JsonNode history = bobWs.request(frame("history.get").put("conversation_id", direct)).get("messages");
      assertEquals(List.of("1", "2", "3"), List.of(history.get(0).get("seq").asText(),
          history.get(1).get("seq").asText(), history.get(2).get("seq").asText()), "seq kept: " + history);
      for (int i : new int[] {0, 2}) {
        assertEquals(List.of(alice, "", "deleted"), List.of(history.get(i).get("sender_id").asText(),
            history.get(i).get("content").asText(), history.get(i).get("content_type").asText()));
      }
      assertEquals("bob's reply", history.get(1).get("content").asText());
      JsonNode groupHistory = bobWs.request(frame("history.get").put("conversation_id", group)).get("messages");
      assertEquals("deleted", groupHistory.get(0).get("content_type").asText());

      JsonNode inbox = bobWs.request(frame("inbox.get")).get("items");
      for (JsonNode item : inbox) {
        String preview = item.get("last_message_preview").asText();
        assertFalse(preview.contains("secret"), "no preview of hers: " + item);
        if (item.get("conversation_id").asText().equals(group)) {
          assertEquals(List.of(bob), strings(item.get("members")), "she left the group: " + item);
        }
      }
      JsonNode groupSend = bobWs.request(send(group, "g2", "still here"));
      assertEquals("msg.ack", groupSend.get("type").asText(), groupSend.toString());
    }
    // The same id signing in later starts afresh.
    ApiClient.Response inbox = api.get(api.token(alice), "/v1/inbox");
    assertEquals(0, inbox.body().get("items").size(), inbox.toString());
  }

  /**
   * The same id after an erasure starts afresh: its export holds what it sent since, none of the
   * erased account's messages (not even as tombstones with their ids, times and client ids).
   */
  @Test
  void anErasedIdThatComesBackExportsOnlyWhatItSentSince() {
    String alice = user("alice");
    String bob = user("bob");
    String direct = directId(alice, bob);
    try (WsClient aliceWs = connect(alice, "phone"); WsClient bobWs = connect(bob, "phone")) {
      aliceWs.request(send(direct, "old1", "before the erasure"));
      bobWs.request(send(direct, "b1", "bob's"));
    }
    ApiClient.Response erasure = api.delete(api.token(alice), "/v1/me", "");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (erasure.status() != 200 && System.nanoTime() < deadline) {
      erasure = api.delete(api.token(alice), "/v1/me", "");
    }
    assertEquals(200, erasure.status(), erasure.toString());
    String body = "{\"conversation_id\":\"" + direct + "\",\"client_msg_id\":\"new1\",\"content\":\"after it\"}";
    ApiClient.Response sent = api.post(api.token(alice), "/v1/messages", body);
    while (sent.status() == 409 && System.nanoTime() < deadline) { // account_erasing until the key cache time passed
      sent = api.post(api.token(alice), "/v1/messages", body);
    }
    assertEquals(200, sent.status(), sent.toString());

    ApiClient.Lines export = api.getLines(api.token(alice), "/v1/me/export");
    assertEquals(200, export.status());
    List<String> messages = export.lines().stream().filter(line -> line.get("type").asText().equals("message"))
        .map(line -> line.get("seq").asLong() + ":" + line.get("client_msg_id").asText() + ":" + line.get("content").asText())
        .toList();
    assertEquals(List.of("3:new1:after it"), messages, "the erased account's messages are not the new one's");
  }
}
