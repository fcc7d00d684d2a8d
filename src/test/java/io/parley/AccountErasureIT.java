package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.conversation.Segment;
import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.Poll;
import io.parley.testing.StoredContent;
import io.parley.testing.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Erasing an account removes its content from everywhere the node stores anything. The proof
 * reads the store as someone holding a copy of it would ({@link StoredContent}: every DynamoDB
 * table, every S3 object, gzip undone, sealed strings opened with every key the key table still
 * holds): before the erasure it finds the user's messages (hot and cold), previews and media
 * bytes; after it, none of them, while the other member's content is still there to find.
 */
class AccountErasureIT {
  @TempDir Path temp;

  @Test
  void afterAnErasureNothingStoredAnywhereReadsAsTheUsersContent() throws Exception {
    try (ParleyProcess node = ParleyProcess.start(temp, ColdTierIT.archiveEnv());
        StoredContent stored = new StoredContent(node)) {
      ApiClient api = new ApiClient(node);
      String run = UUID.randomUUID().toString().substring(0, 8);
      String alice = "alice-" + run;
      String bob = "bob-" + run;
      String carol = "carol-" + run;
      String direct = "d:" + alice + ":" + bob;
      String aliceToken = api.token(alice);
      String bobToken = api.token(bob);
      api.token(carol);
      String group = api.post(aliceToken, "/v1/groups",
          "{\"title\":\"Climbing\",\"members\":[\"" + bob + "\",\"" + carol + "\"]}").body().get("conversation_id").asText();

      // Old messages first (they move to S3), then new ones that stay in DynamoDB.
      List<String> hers = new ArrayList<>();
      for (int n = 1; n <= 12; n++) {
        hers.add(send(api, aliceToken, direct, "a" + n, "alice's secret number " + n + " of " + run
            + (n % 3 == 0 ? ", long enough that the inbox keeps a shorter preview of it" : "")));
      }
      String bobsOld = send(api, bobToken, direct, "b1", "bob's old line of " + run);
      awaitSegments(node, direct);
      hers.add(send(api, aliceToken, direct, "a13", "alice's newest secret of " + run));
      hers.add(send(api, aliceToken, group, "g1", "alice's group secret of " + run));
      String bobsNew = send(api, bobToken, group, "g2", "bob's group line of " + run);
      byte[] mediaBytes = ("alice's photo bytes " + run).getBytes(StandardCharsets.UTF_8);
      String mediaUrl = upload(node, aliceToken, mediaBytes);
      send(api, aliceToken, group, "g3", mediaUrl, "media");
      String pushToken = "fcm-token-of-" + run;
      String device = "phone-of-" + run;
      assertEquals(200, api.post(aliceToken, "/v1/devices",
          "{\"platform\":\"fcm\",\"token\":\"" + pushToken + "\"}").status());
      try (WsClient phone = WsClient.connect(node, aliceToken, device)) {
        phone.await(WsClient.type("hello"));
      }

      String before = stored.everything();
      for (String secret : hers) {
        assertTrue(before.contains(secret), "the scan reads her message before the erasure: " + secret);
      }
      assertTrue(before.contains("alice's secret number 3 of " + run + ", long"), "and a preview of it");
      assertTrue(before.contains(new String(mediaBytes, StandardCharsets.UTF_8)), "and her media");
      assertTrue(before.contains(pushToken) && before.contains(device), "and her push token and device");

      awaitErased(node, api, aliceToken);

      String after = stored.everything();
      for (String secret : hers) {
        assertFalse(after.contains(secret), "still readable after the erasure: " + secret);
      }
      assertFalse(after.contains("alice's secret"), "no part of any of them, previews included");
      assertFalse(after.contains(new String(mediaBytes, StandardCharsets.UTF_8)), "her media bytes");
      assertTrue(after.contains(bobsOld) && after.contains(bobsNew), "bob's content is untouched");
      assertFalse(after.contains(pushToken), "her push token (her entity's and its owner record's journals)");
      assertFalse(after.contains(device), "her device");

      // Her own entity keeps the erasure record alone; its key names her, which keeps the account erased.
      List<String> own = new ArrayList<>();
      for (String table : List.of("parley-journal", "parley-snapshots")) {
        for (Map<String, AttributeValue> item : stored.items(table, null)) {
          if (item.get("par").getS().contains("User|" + alice + "-") || item.get("par").getS().endsWith("User|" + alice)) {
            own.add(table + ": " + stored.readable(item, List.of()));
          }
        }
      }
      assertFalse(own.isEmpty(), "the erasure record is kept");
      for (String item : own) {
        for (String trace : List.of(direct, group, bob, carol, "Climbing", pushToken, device, mediaUrl)) {
          assertFalse(item.contains(trace), trace + " is still in her entity's journal or snapshots: " + item);
        }
      }
      String log = Files.readString(node.logFile());
      for (String trace : List.of(alice, pushToken, device)) {
        assertFalse(log.contains(trace), trace + " is in the node's log");
      }

      // What bob sees: her messages as tombstones in place, his own as they were, cold and hot.
      JsonNode history = api.get(bobToken, "/v1/conversations/" + direct + "/messages?limit=100").body().get("messages");
      assertEquals(14, history.size(), history.toString());
      for (JsonNode m : history) {
        boolean his = m.get("sender_id").asText().equals(bob);
        assertEquals(his ? "text" : "deleted", m.get("content_type").asText(), m.toString());
        assertEquals(his ? bobsOld : "", m.get("content").asText(), m.toString());
      }
      ApiClient.Response photo = api.get(bobToken, mediaUrl);
      assertEquals(404, photo.status(), photo.toString());
    }
  }

  /**
   * A group's title is sealed with the key of the user who set it, wherever it is kept (the
   * group's events and snapshots, every member's inbox, invites): members and the invited read
   * it; once its setter is erased, no copy of it is readable, and the group goes on untitled.
   */
  @Test
  void groupTitlesTheErasedUserSetAreNotReadableInStorageAfterwards() throws Exception {
    try (ParleyProcess node = ParleyProcess.start(temp);
        StoredContent stored = new StoredContent(node)) {
      ApiClient api = new ApiClient(node);
      String run = UUID.randomUUID().toString().substring(0, 8);
      String alice = "alice-" + run;
      String bob = "bob-" + run;
      String carol = "carol-" + run;
      String aliceToken = api.token(alice);
      String bobToken = api.token(bob);
      String carolToken = api.token(carol);
      assertEquals(200, api.put(carolToken, "/v1/me/settings", "{\"group_adds\":\"nobody\"}").status());
      String title = "alice's secret title of " + run;
      ApiClient.Response created = api.post(aliceToken, "/v1/groups",
          "{\"title\":\"" + title + "\",\"members\":[\"" + bob + "\",\"" + carol + "\"]}");
      assertEquals(title, created.body().get("title").asText(), created.toString());
      assertEquals(carol, created.body().get("invited").get(0).asText(), "carol is invited: " + created);
      String group = created.body().get("conversation_id").asText();
      send(api, aliceToken, group, "t1", "hello " + run);
      // A group she is the only member of: her erasure leaves it with no one (it never finished).
      ApiClient.Response alone = api.post(aliceToken, "/v1/groups", "{\"title\":\"notes\",\"members\":[]}");
      assertEquals(200, alone.status(), alone.toString());
      assertEquals(title, inboxTitle(api, bobToken, group), "a member reads the title");
      assertEquals(title, api.get(carolToken, "/v1/invites").body().get("invites").get(0).get("title").asText(),
          "the invited read it");
      String everything = stored.everything();
      assertTrue(everything.contains("opened: " + title), "the scan reads the title, sealed, before the erasure");
      assertFalse(everything.replace("opened: " + title, "").contains(title), "and nowhere in plain text");

      awaitErased(node, api, aliceToken);

      assertFalse(stored.everything().contains(title), "the title she set is still readable");
      assertEquals("", inboxTitle(api, bobToken, group), "the group goes on untitled");
      assertEquals("", api.get(carolToken, "/v1/invites").body().get("invites").get(0).get("title").asText());
      assertEquals(200, api.post(bobToken, "/v1/messages", message(group, "after", "still here " + run)).status(),
          "and working");
    }
  }

  private static String inboxTitle(ApiClient api, String token, String conversationId) {
    for (JsonNode item : api.get(token, "/v1/inbox").body().get("items")) {
      if (item.get("conversation_id").asText().equals(conversationId)) {
        return item.get("title").asText();
      }
    }
    throw new AssertionError(conversationId + " is not in the inbox");
  }

  /**
   * Sends are refused from the start of the erasure (409 {@code account_erasing}), so nothing the
   * user sends meanwhile is stored, under a new key or the old; once it is done and the key cache
   * time has passed, the same id sends again, under a new key.
   */
  @Test
  void aSendDuringTheErasureIsRefusedAndTheSameIdSendsAgainOnceItIsOver() throws Exception {
    try (ParleyProcess node = ParleyProcess.start(temp, Map.of("PARLEY_PRIVACY_KEY_CACHE_TTL", "3s"));
        StoredContent stored = new StoredContent(node)) {
      ApiClient api = new ApiClient(node);
      String run = UUID.randomUUID().toString().substring(0, 8);
      String alice = "alice-" + run;
      String bob = "bob-" + run;
      String direct = "d:" + alice + ":" + bob;
      String aliceToken = api.token(alice);
      String bobToken = api.token(bob);
      send(api, aliceToken, direct, "before", "said before the erasure " + run);

      ApiClient.Response erasing = api.delete(aliceToken, "/v1/me", "");
      assertTrue(erasing.status() == 202 || erasing.status() == 200, erasing.toString());
      AtomicInteger attempt = new AtomicInteger();
      Poll.until(Duration.ofSeconds(10), () -> refused(api.post(aliceToken, "/v1/messages", message(direct,
          "during-" + attempt.incrementAndGet(), "sent during the erasure " + run))));
      ApiClient.Response refusedAgain = api.post(aliceToken, "/v1/messages",
          message(direct, "during-refused", "sent during the erasure " + run));
      assertTrue(refused(refusedAgain), "refused from then on: " + refusedAgain);
      HttpResponse<String> upload = HttpClient.newHttpClient().send(HttpRequest.newBuilder(node.http("/v1/media"))
              .header("Authorization", "Bearer " + aliceToken).header("Content-Type", "image/jpeg")
              .POST(HttpRequest.BodyPublishers.ofString("uploaded during the erasure " + run)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(409, upload.statusCode(), "media is not stored either: " + upload.body());

      awaitErased(node, api, aliceToken);
      String after = stored.everything();
      assertFalse(after.contains("during-refused"), "a refused send leaves nothing in storage");
      assertFalse(after.contains("sent during the erasure"), "nor anything readable");

      // The same id, moments later: refused until no node can hold the deleted key, then a new one.
      Poll.until(Duration.ofSeconds(20), () -> {
        ApiClient.Response again = api.post(aliceToken, "/v1/messages", message(direct, "again", "back again " + run));
        assertTrue(again.status() == 200 || refused(again), again.toString());
        return again.status() == 200;
      });
      JsonNode history = api.get(bobToken, "/v1/conversations/" + direct + "/messages").body().get("messages");
      JsonNode last = history.get(history.size() - 1);
      assertEquals("back again " + run, last.get("content").asText(), history.toString());
      assertEquals("deleted", history.get(0).get("content_type").asText(), "what she said before is gone");
    }
  }

  private static boolean refused(ApiClient.Response sent) {
    return sent.status() == 409 && "account_erasing".equals(sent.body().path("code").asText());
  }

  private static String message(String conversationId, String clientMsgId, String content) {
    return ApiClient.JSON.createObjectNode().put("conversation_id", conversationId).put("client_msg_id", clientMsgId)
        .put("content", content).toString();
  }

  private static String send(ApiClient api, String token, String conversationId, String clientMsgId, String content) {
    return send(api, token, conversationId, clientMsgId, content, "text");
  }

  private static String send(ApiClient api, String token, String conversationId, String clientMsgId, String content,
      String contentType) {
    ApiClient.Response sent = api.post(token, "/v1/messages", ApiClient.JSON.createObjectNode()
        .put("conversation_id", conversationId).put("client_msg_id", clientMsgId).put("content", content)
        .put("content_type", contentType).toString());
    assertEquals(200, sent.status(), sent.toString());
    return content;
  }

  private static String upload(ParleyProcess node, String token, byte[] bytes) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(node.http("/v1/media"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "image/jpeg")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return ApiClient.JSON.readTree(response.body()).get("media_url").asText();
  }

  /** Until the archive moved some of the conversation's messages to S3 segments. */
  private static void awaitSegments(ParleyProcess node, String conversationId) {
    Path dir = node.dataDir.resolve("s3").resolve("parley").resolve(Segment.prefix(conversationId));
    Poll.until(Duration.ofSeconds(30), () -> {
      if (!Files.isDirectory(dir)) {
        return false;
      }
      try (Stream<Path> files = Files.list(dir)) {
        return files.anyMatch(f -> f.toString().endsWith(".jsonl.gz"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static void awaitErased(ParleyProcess node, ApiClient api, String token) {
    try {
      Poll.until(Duration.ofSeconds(30), () -> {
        ApiClient.Response erased = api.delete(token, "/v1/me", "");
        assertTrue(erased.status() == 202 || erased.status() == 200, erased.toString());
        return erased.status() == 200;
      });
    } catch (AssertionError notDone) {
      throw new AssertionError("the erasure did not finish; the node warned:\n" + node.recentWarnings(), notDone);
    }
  }

}
