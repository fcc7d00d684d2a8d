package io.parley;

import static io.parley.testing.WsClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** What a user reads back: the inbox, history pages, and deleted messages as tombstones. */
class InboxAndHistoryIT extends SharedChatNode {
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

      // A page goes on from the last item's time and id: nothing of that time is skipped or repeated.
      JsonNode first = aliceWs.request(frame("inbox.get").put("limit", 1));
      JsonNode last = first.get("items").get(0);
      JsonNode next = aliceWs.request(frame("inbox.get").put("limit", 1)
          .put("before_ts", last.get("last_message_ts").asLong())
          .put("after_conversation_id", last.get("conversation_id").asText()));
      assertEquals(directId(alice, carol), next.get("items").get(0).get("conversation_id").asText());
      ApiClient.Response nextOverHttp = api.get(api.token(alice), "/v1/inbox?limit=1&before_ts="
          + last.get("last_message_ts").asLong() + "&after_conversation_id=" + last.get("conversation_id").asText());
      assertEquals(200, nextOverHttp.status());
      assertEquals(directId(alice, carol), nextOverHttp.body().get("items").get(0).get("conversation_id").asText());
      ApiClient.Response withoutTime = api.get(api.token(alice), "/v1/inbox?after_conversation_id=g.a");
      assertEquals(400, withoutTime.status());
      assertEquals("bad_request", withoutTime.body().get("code").asText());
    }
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
      // The preview of a deleted message reads [deleted] (the update that showed it came first),
      // and it is no longer unread.
      bobWs.await(f -> "inbox.update".equals(f.path("type").asText())
          && f.path("item").path("last_seq").asLong() == 2
          && f.path("item").path("last_message_preview").asText().equals("[deleted]")
          && f.path("item").path("unread_count").asLong() == 1);

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

  private static List<Long> seqs(JsonNode history) {
    return StreamSupport.stream(history.get("messages").spliterator(), false)
        .map(m -> m.get("seq").asLong()).toList();
  }
}
