package io.parley;

import static io.parley.testing.WsClient.frame;
import static io.parley.testing.WsClient.reply;
import static io.parley.testing.WsClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.WsClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client contract end to end: real WebSocket and HTTP clients against a real node (its own
 * JVM, embedded store and s3proxy). Each test uses its own users.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChatEndToEndIT {
  ParleyProcess node;
  ApiClient api;

  @BeforeAll
  void startNode(@TempDir Path temp) {
    // A short heartbeat so the idle-close test needs seconds, not a minute; a small rate limit
    // burst so the rate-limit test stays short.
    node = ParleyProcess.start(temp, Map.of("PARLEY_HEARTBEAT", "2s", "PARLEY_RATE_LIMIT_BURST", "20"));
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
    return WsClient.connectAndAwaitHello(node, api.token(userId), deviceId);
  }

  private static ObjectNode send(String conversationId, String clientMsgId, String content) {
    return frame("msg.send").put("conversation_id", conversationId)
        .put("client_msg_id", clientMsgId).put("content", content);
  }

  private static java.util.function.Predicate<JsonNode> msgNew(String conversationId, long seq) {
    return f -> "msg.new".equals(f.path("type").asText())
        && conversationId.equals(f.path("conversation_id").asText())
        && f.path("seq").asLong() == seq;
  }

  @Test
  void managementReportsReadinessLivenessAndTheClusterMembers() throws Exception {
    assertEquals(200, node.managementStatus("/ready"));
    assertEquals(200, node.managementStatus("/alive"));
    JsonNode members = ApiClient.JSON.readTree(node.managementBody("/cluster/members"));
    assertEquals(1, members.get("members").size());
    assertEquals("Up", members.get("members").get(0).get("status").asText());
    // Write routes are off unless an operator turns them on: nobody downs the node from here.
    String self = members.get("selfNode").asText();
    int status = node.managementPut("/cluster/members/" + self, "operation=Down");
    assertTrue(status == 404 || status == 405, "PUT answered " + status);
    assertEquals(200, node.managementStatus("/ready"));
  }

  @Test
  void metricsAreExposedInPrometheusFormat() throws Exception {
    String alice = user("alice");
    try (WsClient ws = connect(alice, "phone")) {
      String conversation = directId(alice, user("bob"));
      ws.request(send(conversation, "metric", "counted"));
      // Alice's own device receives it too: by then it was stored for her and delivered.
      ws.await(msgNew(conversation, 1));
      ws.send(frame("teleport"));
      ws.await(type("error"));
      String metrics = node.managementBody("/metrics");
      for (String metric : List.of("parley_connections", "parley_messages_accepted_total", "parley_messages_delivered_total",
          "parley_send_ack_seconds_bucket", "parley_send_deliver_seconds_bucket", "parley_persist_seconds_bucket",
          "parley_pending_items_bucket", "parley_entities{region=\"conversation\"}", "parley_rejected_total{code=\"unknown_type\"}")) {
        assertTrue(metrics.contains(metric), metric + " in " + metrics.length() + " chars of metrics");
      }
    }
  }

  @Test
  void helloComesFirstAndNamesTheUserAndDevice() {
    String alice = user("alice");
    try (WsClient ws = WsClient.connect(node, api.token(alice), "phone")) {
      JsonNode hello = ws.await(f -> true);
      assertEquals("hello", hello.get("type").asText());
      assertEquals(alice, hello.get("user_id").asText());
      assertEquals("phone", hello.get("device_id").asText());
      assertEquals(2000, hello.get("heartbeat_ms").asLong());
      assertTrue(Math.abs(hello.get("server_time").asLong() - System.currentTimeMillis()) < 60_000);
    }
  }

  @Test
  void directMessageReachesEveryDeviceOfBothMembersWithAckAndCursor() {
    String alice = user("alice");
    String bob = user("bob");
    String conversation = "d:" + (alice.compareTo(bob) < 0 ? alice + ":" + bob : bob + ":" + alice);
    try (WsClient alicePhone = connect(alice, "phone");
        WsClient aliceLaptop = connect(alice, "laptop");
        WsClient bobPhone = connect(bob, "phone");
        WsClient bobTablet = connect(bob, "tablet")) {
      JsonNode ack = alicePhone.request(send(conversation, "m1", "hi bob"));
      assertEquals("msg.ack", ack.get("type").asText());
      assertEquals("sent", ack.get("status").asText());
      assertEquals(1, ack.get("seq").asLong());
      assertEquals("m1", ack.get("client_msg_id").asText());
      assertEquals(conversation, ack.get("conversation_id").asText());
      assertEquals(26, ack.get("message_id").asText().length());

      for (WsClient device : List.of(aliceLaptop, bobPhone, bobTablet)) {
        JsonNode delivered = device.await(msgNew(conversation, 1));
        assertEquals("hi bob", delivered.get("content").asText());
        assertEquals("m1", delivered.get("client_msg_id").asText(), "the sender's devices match by it");
        assertEquals(alice, delivered.get("sender_id").asText());
        assertEquals("text", delivered.get("content_type").asText());
        assertEquals(ack.get("message_id").asText(), delivered.get("message_id").asText());
        assertEquals(ack.get("server_ts").asLong(), delivered.get("server_ts").asLong());
        assertEquals(1, delivered.get("cursor").asLong());
      }
      JsonNode second = bobPhone.request(send(conversation, "m2", "hello alice"));
      assertEquals(2, second.get("seq").asLong());
      assertEquals(2, aliceLaptop.await(msgNew(conversation, 2)).get("cursor").asLong());
      assertEquals(2, bobTablet.await(msgNew(conversation, 2)).get("cursor").asLong());
    }
  }

  @Test
  void retryWithTheSameClientMsgIdStoresNothingNewAndReturnsTheOriginal() {
    String alice = user("alice");
    String bob = user("bob");
    String conversation = directId(alice, bob);
    try (WsClient ws = connect(alice, "phone"); WsClient bobWs = connect(bob, "phone")) {
      JsonNode first = ws.request(send(conversation, "same", "once"));
      JsonNode retry = ws.request(send(conversation, "same", "once"));
      assertEquals(first.get("message_id"), retry.get("message_id"));
      assertEquals(first.get("seq"), retry.get("seq"));
      assertEquals(first.get("server_ts"), retry.get("server_ts"));
      // Over HTTP too: same sender, conversation and client_msg_id.
      ApiClient.Response http = api.post(api.token(alice), "/v1/messages",
          "{\"conversation_id\":\"" + conversation + "\",\"client_msg_id\":\"same\",\"content\":\"once\"}");
      assertEquals(200, http.status());
      assertEquals(first.get("message_id"), http.body().get("message_id"));
      JsonNode next = ws.request(send(conversation, "other", "twice"));
      assertEquals(2, next.get("seq").asLong(), "the retries took no seq");
      bobWs.await(msgNew(conversation, 2));
      long copiesOfFirst = bobWs.all().stream().filter(msgNew(conversation, 1)).count();
      assertEquals(1, copiesOfFirst);
    }
  }

  @Test
  void pendingItemsAreDeliveredOnReconnectAndAckedOnesNeverAgain() {
    String alice = user("alice");
    String bob = user("bob");
    String conversation = directId(alice, bob);
    try (WsClient aliceWs = connect(alice, "phone")) {
      // Bob has never connected: everything waits for his first device.
      for (int i = 1; i <= 5; i++) {
        aliceWs.request(send(conversation, "p" + i, "pending " + i));
      }
      try (WsClient bobWs = WsClient.connect(node, api.token(bob), "phone")) {
        assertEquals("hello", bobWs.await(f -> true).get("type").asText());
        for (int i = 1; i <= 5; i++) {
          JsonNode item = bobWs.await(f -> true);
          assertEquals("msg.new", item.get("type").asText(), "pending items follow hello in order");
          assertEquals(i, item.get("seq").asLong());
          assertEquals(i, item.get("cursor").asLong());
        }
        bobWs.send(frame("ack").put("cursor", 3));
        // A later frame's answer means the ack is durable.
        bobWs.request(frame("ping"));
      }
      aliceWs.request(send(conversation, "p6", "pending 6"));
      try (WsClient bobAgain = WsClient.connect(node, api.token(bob), "phone")) {
        bobAgain.await(type("hello"));
        List<Long> cursors = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          cursors.add(bobAgain.await(type("msg.new")).get("cursor").asLong());
        }
        assertEquals(List.of(4L, 5L, 6L), cursors);
      }
      // A second device of bob's, connecting for the first time, starts at the oldest item held.
      try (WsClient bobTablet = WsClient.connect(node, api.token(bob), "tablet")) {
        bobTablet.await(type("hello"));
        assertEquals(4, bobTablet.await(type("msg.new")).get("cursor").asLong());
      }
    }
  }

  @Test
  void receiptsGoToTheSenderWhenDeliveredAndWhenRead() {
    String alice = user("alice");
    String bob = user("bob");
    String conversation = directId(alice, bob);
    try (WsClient aliceWs = connect(alice, "phone");
        WsClient bobWs = connect(bob, "phone");
        WsClient bobLaptop = connect(bob, "laptop")) {
      aliceWs.request(send(conversation, "r1", "one"));
      aliceWs.request(send(conversation, "r2", "two"));
      long cursor = bobWs.await(msgNew(conversation, 2)).get("cursor").asLong();
      bobWs.send(frame("ack").put("cursor", cursor));
      JsonNode delivered = aliceWs.await(type("receipt"));
      assertEquals("delivered", delivered.get("status").asText());
      assertEquals(2, delivered.get("seq").asLong());
      assertEquals(bob, delivered.get("user_id").asText());
      assertEquals(conversation, delivered.get("conversation_id").asText());

      bobWs.send(frame("msg.read").put("conversation_id", conversation).put("seq", 2));
      JsonNode read = aliceWs.await(type("receipt"));
      assertEquals("read", read.get("status").asText());
      assertEquals(2, read.get("seq").asLong());
      // Bob's other device hears that his unread count dropped.
      JsonNode update = bobLaptop.await(f -> "inbox.update".equals(f.path("type").asText())
          && f.path("item").path("unread_count").asInt(-1) == 0);
      assertEquals(conversation, update.get("item").get("conversation_id").asText());

      // Reading again, or acking the same cursor from another device, sends nothing new.
      bobWs.send(frame("msg.read").put("conversation_id", conversation).put("seq", 2));
      bobLaptop.send(frame("ack").put("cursor", cursor));
      aliceWs.request(frame("ping"));
      bobWs.request(frame("ping"));
      bobLaptop.request(frame("ping"));
      aliceWs.request(send(conversation, "r3", "three"));
      bobWs.await(msgNew(conversation, 3));
      long receipts = aliceWs.all().stream().filter(type("receipt")).count();
      assertEquals(2, receipts, "one delivered and one read receipt: " + aliceWs.all());
    }
  }

  private static java.util.function.Predicate<JsonNode> receipt(String conversationId, long seq, String status) {
    return f -> "receipt".equals(f.path("type").asText())
        && conversationId.equals(f.path("conversation_id").asText())
        && f.path("seq").asLong() == seq && status.equals(f.path("status").asText());
  }

  @Test
  void receiptsReachTheSendersDeviceThatWasOfflineWhenItReconnectsAndOnlyOnce() {
    String alice = user("alice");
    String bob = user("bob");
    String conversation = directId(alice, bob);
    try (WsClient phone = connect(alice, "phone")) {
      phone.request(frame("ping")); // the phone is one of alice's devices, then goes offline
    }
    long seq;
    try (WsClient laptop = connect(alice, "laptop"); WsClient bobWs = connect(bob, "phone")) {
      seq = laptop.request(send(conversation, "o1", "are you there?")).get("seq").asLong();
      long cursor = bobWs.await(msgNew(conversation, seq)).get("cursor").asLong();
      bobWs.send(frame("ack").put("cursor", cursor));
      bobWs.send(frame("msg.read").put("conversation_id", conversation).put("seq", seq));
      // The laptop gets them live, and only once they are stored for alice: with a cursor.
      assertTrue(laptop.await(receipt(conversation, seq, "delivered")).has("cursor"));
      assertTrue(laptop.await(receipt(conversation, seq, "read")).has("cursor"));
    }
    try (WsClient phone = WsClient.connect(node, api.token(alice), "phone")) {
      phone.await(type("hello"));
      long own = phone.await(msgNew(conversation, seq)).get("cursor").asLong();
      JsonNode delivered = phone.await(receipt(conversation, seq, "delivered"));
      JsonNode read = phone.await(receipt(conversation, seq, "read"));
      assertEquals(bob, delivered.get("user_id").asText());
      assertEquals(bob, read.get("user_id").asText());
      assertTrue(own < delivered.get("cursor").asLong() && delivered.get("cursor").asLong() < read.get("cursor").asLong(),
          "in cursor order: " + phone.all());
      phone.send(frame("ack").put("cursor", read.get("cursor").asLong()));
      phone.request(frame("ping")); // the ack is durable
      assertEquals(2, phone.all().stream().filter(type("receipt")).count(), "each once: " + phone.all());
    }
    try (WsClient phone = WsClient.connect(node, api.token(alice), "phone"); WsClient bobWs = connect(bob, "phone")) {
      phone.await(type("hello"));
      // A later item comes after anything still pending: nothing acked is sent again.
      bobWs.request(send(conversation, "o2", "yes"));
      phone.await(msgNew(conversation, seq + 1));
      assertEquals(0, phone.all().stream().filter(type("receipt")).count(), "acked receipts again: " + phone.all());
    }
  }

  @Test
  void inboxListsConversationsNewestFirstWithPreviewsAndUnreadCounts() {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    try (WsClient aliceWs = connect(alice, "phone"); WsClient bobWs = connect(bob, "phone")) {
      aliceWs.request(send(directId(alice, bob), "i1", "first to bob"));
      aliceWs.request(send(directId(alice, carol), "i2", "x".repeat(150)));
      aliceWs.request(send(directId(alice, bob), "i3", "second to bob"));
      bobWs.await(msgNew(directId(alice, bob), 2));

      JsonNode inbox = bobWs.request(frame("inbox.get"));
      assertEquals("inbox", inbox.get("type").asText());
      JsonNode item = inbox.get("items").get(0);
      assertEquals(directId(alice, bob), item.get("conversation_id").asText());
      assertEquals(alice, item.get("title").asText(), "a direct conversation is titled by the other member");
      assertEquals(2, item.get("last_seq").asLong());
      assertEquals("second to bob", item.get("last_message_preview").asText());
      assertEquals(alice, item.get("last_sender_id").asText());
      assertEquals(2, item.get("unread_count").asInt());
      assertEquals(2, item.get("members").size());

      JsonNode aliceInbox = aliceWs.request(frame("inbox.get").put("limit", 10));
      List<String> order = new ArrayList<>();
      aliceInbox.get("items").forEach(i -> order.add(i.get("conversation_id").asText()));
      assertEquals(List.of(directId(alice, bob), directId(alice, carol)), order, "newest first");
      JsonNode toCarol = aliceInbox.get("items").get(1);
      assertEquals(0, aliceInbox.get("items").get(0).get("unread_count").asInt(), "own messages are never unread");
      String preview = toCarol.get("last_message_preview").asText();
      assertTrue(preview.codePointCount(0, preview.length()) <= 100 && preview.endsWith("…"), preview);

      long newestTs = aliceInbox.get("items").get(0).get("last_message_ts").asLong();
      JsonNode older = aliceWs.request(frame("inbox.get").put("before_ts", newestTs));
      assertEquals(directId(alice, carol), older.get("items").get(0).get("conversation_id").asText());
      assertEquals(1, older.get("items").size());

      ApiClient.Response http = api.get(api.token(alice), "/v1/inbox?limit=1");
      assertEquals(200, http.status());
      assertEquals(1, http.body().get("items").size());
    }
  }

  @Test
  void aSenderDeletesAMessageForEveryoneAndItStaysATombstone() {
    String alice = user("alice");
    String bob = user("bob");
    String conversation = directId(alice, bob);
    try (WsClient aliceWs = connect(alice, "phone"); WsClient bobWs = connect(bob, "phone")) {
      aliceWs.request(send(conversation, "d1", "sent to the wrong chat"));
      aliceWs.request(send(conversation, "d2", "this one stays"));
      bobWs.await(msgNew(conversation, 2));

      JsonNode refused = bobWs.request(frame("msg.delete").put("conversation_id", conversation).put("seq", 1));
      assertEquals("bad_request", refused.path("code").asText(), "only the sender may delete: " + refused);
      JsonNode deleted = aliceWs.request(frame("msg.delete").put("conversation_id", conversation).put("seq", 2));
      assertEquals("msg.deleted", deleted.get("type").asText());
      assertEquals(2, deleted.get("seq").asLong());
      JsonNode told = bobWs.await(f -> "msg.deleted".equals(f.path("type").asText()));
      assertEquals(List.of(conversation, "2"), List.of(told.get("conversation_id").asText(), told.get("seq").asText()));
      // The preview of a deleted message goes (the update that showed it came first).
      bobWs.await(f -> "inbox.update".equals(f.path("type").asText())
          && f.path("item").path("last_seq").asLong() == 2
          && f.path("item").path("last_message_preview").asText().isEmpty());

      JsonNode history = bobWs.request(frame("history.get").put("conversation_id", conversation));
      JsonNode tombstone = history.get("messages").get(1);
      assertEquals(List.of("2", alice, "", "deleted"), List.of(tombstone.get("seq").asText(),
          tombstone.get("sender_id").asText(), tombstone.get("content").asText(), tombstone.get("content_type").asText()));
      assertEquals("sent to the wrong chat", history.get("messages").get(0).get("content").asText());

      ApiClient.Response http = api.delete(api.token(alice), "/v1/conversations/" + conversation + "/messages/1", "");
      assertEquals(200, http.status(), http.toString());
      assertEquals(1, http.body().get("seq").asLong());
      assertEquals(404, api.delete(api.token(alice), "/v1/conversations/" + conversation + "/messages/9", "").status());
    }
    // A device that connects later reads the tombstones, in re-delivery as in history, and is
    // told of each deletion as an item of the stream, after the message it deletes.
    try (WsClient bobTablet = connect(bob, "tablet")) {
      JsonNode first = bobTablet.await(msgNew(conversation, 1));
      assertEquals("deleted", first.get("content_type").asText());
      assertEquals("", first.get("content").asText());
      for (long seq : List.of(2L, 1L)) {
        JsonNode deletion = bobTablet.await(f -> "msg.deleted".equals(f.path("type").asText()) && f.path("seq").asLong() == seq);
        assertTrue(deletion.get("cursor").asLong() > first.get("cursor").asLong(), deletion.toString());
      }
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

      // Members by HTTP, in bulk: a plain member may not, the owner may.
      String members = "{\"members\":[\"" + carol + "\"]}";
      assertEquals(403, api.delete(api.token(bob), "/v1/conversations/" + group + "/members", members).status());
      ApiClient.Response removed = api.delete(api.token(alice), "/v1/conversations/" + group + "/members", members);
      assertEquals(200, removed.status(), removed.toString());
      assertEquals(List.of(carol), strings(removed.body().get("removed")));
      bobWs.await(f -> "conversation.updated".equals(f.path("type").asText())
          && !strings(f.get("members")).contains(carol));
      ApiClient.Response readded = api.post(api.token(alice), "/v1/conversations/" + group + "/members", members);
      assertEquals(200, readded.status(), readded.toString());
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

  @Test
  void historyPagesBackwardsInAscendingOrder() {
    String alice = user("alice");
    String bob = user("bob");
    String conversation = directId(alice, bob);
    try (WsClient aliceWs = connect(alice, "phone")) {
      for (int i = 1; i <= 7; i++) {
        aliceWs.request(send(conversation, "h" + i, "message " + i));
      }
      JsonNode newest = aliceWs.request(frame("history.get").put("conversation_id", conversation).put("limit", 3));
      assertEquals("history", newest.get("type").asText());
      assertEquals(List.of(5L, 6L, 7L), seqs(newest));
      assertTrue(newest.get("has_more").asBoolean());
      assertFalse(newest.get("messages").get(0).has("cursor"));
      JsonNode older = aliceWs.request(frame("history.get").put("conversation_id", conversation)
          .put("before_seq", 5).put("limit", 3));
      assertEquals(List.of(2L, 3L, 4L), seqs(older));
      JsonNode oldest = aliceWs.request(frame("history.get").put("conversation_id", conversation).put("before_seq", 2));
      assertEquals(List.of(1L), seqs(oldest));
      assertFalse(oldest.get("has_more").asBoolean());
      assertEquals("message 1", oldest.get("messages").get(0).get("content").asText());

      ApiClient.Response http = api.get(api.token(bob), "/v1/conversations/" + conversation + "/messages?before=5&limit=3");
      assertEquals(200, http.status());
      assertEquals(List.of(2L, 3L, 4L), seqs(http.body()));
      ApiClient.Response outsider = api.get(api.token(user("mallory")), "/v1/conversations/" + conversation + "/messages");
      assertEquals(403, outsider.status());
      assertEquals("not_member", outsider.body().get("code").asText());
    }
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

  @Test
  void anOperatorErasesAUserOnTheManagementPortOnlyWhenItsWriteRoutesAreOn(@TempDir Path temp) throws Exception {
    assertEquals(403, node.managementDelete("/admin/users/" + user("alice")).statusCode(), "read-only by default");
    try (ParleyProcess writable = ParleyProcess.start(temp, Map.of("PARLEY_MANAGEMENT_READ_ONLY", "false",
        "PARLEY_MANAGEMENT_ADMIN_TOKEN", "operators-only-token"))) {
      ApiClient writableApi = new ApiClient(writable);
      String alice = user("alice");
      String bob = user("bob");
      String direct = directId(alice, bob);
      ApiClient.Response sent = writableApi.post(writableApi.token(alice), "/v1/messages",
          "{\"conversation_id\":\"" + direct + "\",\"client_msg_id\":\"m1\",\"content\":\"operator test\"}");
      assertEquals(200, sent.status(), sent.toString());

      assertEquals(401, writable.managementDelete("/admin/users/" + alice, null).statusCode(), "no token");
      assertEquals(401, writable.managementDelete("/admin/users/" + alice, "a-guess").statusCode(), "a wrong token");
      String self = ApiClient.JSON.readTree(writable.managementBody("/cluster/members")).get("selfNode").asText();
      assertEquals(401, writable.managementPut("/cluster/members/" + self, "operation=Down", null),
          "Pekko's own write routes need the token too");
      assertEquals(200, writable.managementStatus("/ready"), "nobody downed it");
      var erased = writable.managementDelete("/admin/users/" + alice);
      assertTrue(erased.statusCode() == 202 || erased.statusCode() == 200, erased.body());
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (erased.statusCode() != 200 && System.nanoTime() < deadline) {
        erased = writable.managementDelete("/admin/users/" + alice);
      }
      assertEquals("done", ApiClient.JSON.readTree(erased.body()).get("erasure").asText(), erased.body());
      JsonNode history = writableApi.get(writableApi.token(bob), "/v1/conversations/" + direct + "/messages").body();
      assertEquals("deleted", history.get("messages").get(0).get("content_type").asText(), history.toString());
      String log = java.nio.file.Files.readString(writable.logFile());
      assertTrue(log.contains("audit actor=operator action=erase account target=sha256:"), "the audit trail");
      assertTrue(log.contains("audit actor=unauthenticated action=PUT /cluster/members/"), "refusals are audited");
      assertFalse(log.contains(alice), "no user ids in the log, the audit trail included");
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
    }
  }

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
  void pingIsAnsweredWithPongCarryingTheReqId() {
    try (WsClient ws = connect(user("alice"), "phone")) {
      ws.send(frame("ping").put("req_id", "p-1"));
      JsonNode pong = ws.await(WsClient.reply("p-1"));
      assertEquals("pong", pong.get("type").asText());
    }
  }

  @Test
  void badInputGetsTheProtocolsErrorAndTheConnectionKeepsWorking() {
    String alice = user("alice");
    String bob = user("bob");
    String conversation = directId(alice, bob);
    try (WsClient ws = connect(alice, "phone")) {
      ws.send("{not json");
      assertError(ws.await(type("error")), "bad_request", null);
      ws.send("[1,2]");
      assertError(ws.await(type("error")), "bad_request", null);
      ws.send(frame("teleport").put("req_id", "e1"));
      assertError(ws.await(WsClient.reply("e1")), "unknown_type", "e1");
      ws.send(frame("msg.send").put("req_id", "e2").put("conversation_id", conversation).put("content", "no id"));
      assertError(ws.await(WsClient.reply("e2")), "bad_request", "e2");
      ws.send(send(conversation, "e3", "x").put("req_id", "e3").put("content_type", "video"));
      assertError(ws.await(WsClient.reply("e3")), "bad_request", "e3");
      ws.send(send("bad id!", "e4", "x").put("req_id", "e4"));
      assertError(ws.await(WsClient.reply("e4")), "bad_request", "e4");
      ws.send(frame("msg.send").put("req_id", "e5").put("conversation_id", conversation)
          .put("client_msg_id", "e5").put("content", 42));
      assertError(ws.await(WsClient.reply("e5")), "bad_request", "e5");
      ws.send(send(conversation, "e6", "y".repeat(4097)).put("req_id", "e6"));
      assertError(ws.await(WsClient.reply("e6")), "too_large", "e6");
      ws.send(send(directId(bob, user("carol")), "e7", "not mine").put("req_id", "e7"));
      assertError(ws.await(WsClient.reply("e7")), "not_member", "e7");
      ws.send(frame("ack").put("req_id", "e8").put("cursor", "ten"));
      assertError(ws.await(WsClient.reply("e8")), "bad_request", "e8");
      ws.send(frame("ack").put("req_id", "e9").put("cursor", 1_000_000));
      assertError(ws.await(WsClient.reply("e9")), "bad_request", "e9");
      ws.send(frame("msg.read").put("req_id", "e10").put("conversation_id", "g.nope").put("seq", 1));
      assertError(ws.await(WsClient.reply("e10")), "not_member", "e10");
      ws.send(frame("history.get").put("req_id", "e11").put("conversation_id", "g.nope"));
      assertError(ws.await(WsClient.reply("e11")), "not_found", "e11");
      // A field given twice is refused, not read as either copy; the error still carries the req_id.
      ws.send("{\"type\":\"msg.send\",\"req_id\":\"e12\",\"conversation_id\":\"" + conversation
          + "\",\"client_msg_id\":\"e12\",\"content\":\"one\",\"content\":\"two\"}");
      assertError(ws.await(WsClient.reply("e12")), "bad_request", "e12");

      // Nothing was stored by any of that: the next message is seq 1.
      JsonNode ack = ws.request(send(conversation, "ok", "finally"));
      assertEquals(1, ack.get("seq").asLong());
    }
  }

  @Test
  void httpErrorsUseStatusAndCodeBody() {
    String alice = api.token(user("alice"));
    assertEquals(401, api.get(null, "/v1/inbox").status());
    assertEquals("unauthorized", api.get("not-a-jwt", "/v1/inbox").body().get("code").asText());
    ApiClient.Response invalid = api.post(alice, "/v1/messages", "{oops");
    assertEquals(400, invalid.status());
    assertEquals("bad_request", invalid.body().get("code").asText());
    assertNotNull(invalid.body().get("message").asText());
    ApiClient.Response list = api.post(alice, "/v1/messages", "[]");
    assertEquals(400, list.status());
    assertEquals("the body must be a JSON object", list.body().get("message").asText());
    ApiClient.Response twice = api.post(alice, "/v1/messages",
        "{\"conversation_id\":\"d:a:b\",\"client_msg_id\":\"t\",\"content\":\"x\",\"content\":\"y\"}");
    assertEquals(400, twice.status());
    assertTrue(twice.body().get("message").asText().startsWith("the field \"content\" is given twice"),
        twice.body().toString());
    // A body is held to what the largest request needs, not read into memory up to pekko-http's 8 MiB.
    ApiClient.Response huge = api.post(alice, "/v1/messages",
        "{\"conversation_id\":\"d:a:b\",\"client_msg_id\":\"h\",\"content\":\"" + "x".repeat(131_072) + "\"}");
    assertEquals(413, huge.status());
    assertEquals("too_large", huge.body().get("code").asText());
    assertEquals("a request body is at most 131072 bytes", huge.body().get("message").asText());
    assertEquals(400, api.get(alice, "/v1/inbox?limit=abc").status());
    assertEquals(404, api.get(alice, "/v1/conversations/g.none/messages").status());
  }

  @Test
  void aBadTokenIsRefusedWith401BeforeTheUpgrade() {
    for (String token : new String[] {null, "garbage", api.token("alice") + "x"}) {
      CompletionException failure = assertThrows(CompletionException.class,
          () -> WsClient.connect(node.ws("device_id=phone"), token));
      WebSocketHandshakeException handshake = (WebSocketHandshakeException) failure.getCause();
      assertEquals(401, handshake.getResponse().statusCode());
    }
    // The query parameter works for browsers.
    try (WsClient ws = WsClient.connect(node.ws("device_id=web&access_token=" + api.token("alice")), null)) {
      assertEquals("hello", ws.await(f -> true).get("type").asText());
    }
    CompletionException badDevice = assertThrows(CompletionException.class,
        () -> WsClient.connect(node.ws("device_id=bad%20device"), api.token("alice")));
    assertEquals(400, ((WebSocketHandshakeException) badDevice.getCause()).getResponse().statusCode());
  }

  @Test
  void aMessageInSeveralFramesIsReadWholeAndABinaryOneIsAnsweredWithAnError() {
    try (WsClient ws = connect(user("alice"), "phone")) {
      ws.sendInFrames("{\"type\":\"pi", "ng\",\"req_id\":\"in", "-parts\"}");
      ws.sendBinary(new byte[] {1, 2, 3});
      ws.send(frame("ping").put("req_id", "after"));

      // Answered in the order sent: the whole ping, the refused binary message, the next ping.
      assertEquals("pong", ws.await(reply("in-parts")).get("type").asText());
      JsonNode refused = ws.await(type("error"));
      assertEquals("bad_request", refused.get("code").asText());
      assertTrue(refused.get("message").asText().contains("binary"), refused.toString());
      assertEquals("pong", ws.await(reply("after")).get("type").asText());
      assertEquals(List.of("pong", "error", "pong"),
          ws.all().stream().map(f -> f.get("type").asText()).filter(t -> t.equals("pong") || t.equals("error")).toList());
    }
  }

  @Test
  void aFrameOver64KiBClosesOnlyItsConnectionWithCode1009AndTheUserCanReconnect() {
    String alice = user("alice");
    // Every connection runs the same WebSocket stack blueprint: closing one must not touch another.
    try (WsClient laptop = connect(alice, "laptop")) {
      WsClient ws = connect(alice, "phone");
      ws.send(send(directId(alice, user("bob")), "big", "z".repeat(70_000)).toString());
      assertEquals(1009, ws.awaitClose());
      assertFalse(laptop.isClosed());
      assertEquals("pong", laptop.request(frame("ping")).get("type").asText());
      try (WsClient again = connect(alice, "phone")) {
        assertEquals("pong", again.request(frame("ping")).get("type").asText());
      }
    }
  }

  @Test
  void aMessageOver64KiBInFramesUnderItClosesWithCode1009AndNothingIsStored() {
    String alice = user("alice");
    String conversation = directId(alice, user("bob"));
    WsClient ws = connect(alice, "phone");
    assertEquals("msg.ack", ws.request(send(conversation, "small", "before")).get("type").asText());
    String big = send(conversation, "big-in-parts", "z".repeat(70_000)).toString();
    ws.sendInFrames(big.substring(0, 35_000), big.substring(35_000));
    assertEquals(1009, ws.awaitClose());
    try (WsClient again = connect(alice, "phone")) {
      JsonNode messages = again.request(frame("history.get").put("conversation_id", conversation)).get("messages");
      assertEquals(1, messages.size(), messages.toString());
      assertEquals("before", messages.get(0).get("content").asText());
    }
  }

  @Test
  void reconnectingWithTheSameDeviceIdClosesTheOlderConnection() {
    String alice = user("alice");
    WsClient first = connect(alice, "phone");
    try (WsClient second = connect(alice, "phone")) {
      first.awaitClose();
      assertEquals("pong", second.request(frame("ping")).get("type").asText());
    }
  }

  @Test
  void theServerPingsAndClosesAClientSilentForTwiceTheHeartbeat() {
    // java.net.http answers pings with pongs; to be silent, this client uses a raw socket.
    try (RawWebSocket raw = RawWebSocket.open(node.httpPort, "/v1/ws?device_id=mute&access_token=" + api.token(user("mute")))) {
      assertTrue(raw.readsUntilClose(Duration.ofSeconds(15)), "server closed the idle connection");
      assertTrue(raw.opcodes.contains(0x9), "server sent heartbeat pings first: " + raw.opcodes);
      assertEquals(0x8, raw.opcodes.get(raw.opcodes.size() - 1), "with a close frame");
    }
  }

  @Test
  void aClientThatAnswersPingsStaysConnected() {
    // java.net.http answers pings automatically, and sends nothing else here.
    try (WsClient ws = connect(user("quiet"), "phone")) {
      // Three heartbeats without a frame from the application: its pongs keep it open.
      assertFalse(ws.closesWithin(Duration.ofSeconds(6)));
      assertEquals("pong", ws.request(frame("ping")).get("type").asText());
    }
  }

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

  // ------------------------------------------------------------------------------------ helpers

  static String directId(String a, String b) {
    return a.compareTo(b) <= 0 ? "d:" + a + ":" + b : "d:" + b + ":" + a;
  }

  private static void assertError(JsonNode error, String code, String reqId) {
    assertEquals("error", error.get("type").asText(), error.toString());
    assertEquals(code, error.get("code").asText(), error.toString());
    assertFalse(error.get("message").asText().isEmpty());
    if (reqId != null) {
      assertEquals(reqId, error.get("req_id").asText());
    }
  }

  private static List<Long> seqs(JsonNode history) {
    return StreamSupport.stream(history.get("messages").spliterator(), false)
        .map(m -> m.get("seq").asLong()).toList();
  }

  private static List<String> strings(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
