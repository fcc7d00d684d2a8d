package io.parley;

import static io.parley.testing.WsClient.frame;
import static io.parley.testing.WsClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A message's way to every device: ack, delivery, retries, pending items on reconnect, receipts. */
class MessageDeliveryIT extends SharedChatNode {
  private static java.util.function.Predicate<JsonNode> receipt(String conversationId, long seq, String status) {
    return f -> "receipt".equals(f.path("type").asText())
        && conversationId.equals(f.path("conversation_id").asText())
        && f.path("seq").asLong() == seq && status.equals(f.path("status").asText());
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
}
