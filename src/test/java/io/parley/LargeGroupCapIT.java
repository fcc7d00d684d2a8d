package io.parley;

import static io.parley.testing.WsClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.WsClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user added to more large groups than {@code PARLEY_LARGE_GROUPS_LIVE_PER_USER} costs the node
 * that many inbox reads and live subscriptions, no more: groups are large from 3 members here, and
 * a connection hears at most 2 of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeGroupCapIT {
  ParleyProcess node;
  ApiClient api;

  @BeforeAll
  void start(@TempDir Path temp) {
    node = ParleyProcess.start(temp, Map.of(
        "PARLEY_LARGE_GROUP_FROM", "3",
        "PARLEY_LARGE_GROUPS_LIVE_PER_USER", "2"));
    api = new ApiClient(node);
  }

  @AfterAll
  void stop() {
    node.close();
  }

  private static String user(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String direct(String a, String b) {
    return a.compareTo(b) <= 0 ? "d:" + a + ":" + b : "d:" + b + ":" + a;
  }

  private void send(String token, String conversationId, String content) {
    ApiClient.Response sent = api.post(token, "/v1/messages", "{\"conversation_id\":\"" + conversationId
        + "\",\"client_msg_id\":\"" + UUID.randomUUID() + "\",\"content\":\"" + content + "\"}");
    assertEquals(200, sent.status(), sent.body().toString());
  }

  @Test
  void aUserInMoreLargeGroupsThanTheCapHearsAndListsOnlyTheCap() {
    String alice = user("alice");
    String bob = user("bob");
    String dave = user("dave");
    String aliceToken = api.token(alice);
    String daveToken = api.token(dave);
    send(daveToken, direct(alice, dave), "hi alice"); // they share a conversation: alice may add dave
    List<String> groups = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ApiClient.Response created = api.post(aliceToken, "/v1/groups",
          "{\"title\":\"Large " + i + "\",\"members\":[\"" + bob + "\",\"" + dave + "\"]}");
      assertEquals(200, created.status(), created.body().toString());
      assertTrue(created.body().path("large").asBoolean(), created.body().toString());
      groups.add(created.body().get("conversation_id").asText());
    }
    groups.sort(null);
    List<String> heard = groups.subList(0, 2);
    String notHeard = groups.get(2);

    try (WsClient phone = WsClient.connect(node, daveToken, "phone")) {
      phone.await(WsClient.type("hello"));
      JsonNode inbox = phone.request(frame("inbox.get"));
      Set<String> listed = StreamSupport.stream(inbox.get("items").spliterator(), false)
          .map(item -> item.get("conversation_id").asText())
          .filter(id -> !id.startsWith("d:"))
          .collect(Collectors.toSet());
      assertEquals(Set.copyOf(heard), listed, "the inbox reads 2 large groups: " + inbox);

      send(aliceToken, notHeard, "not live");
      for (String group : heard) {
        send(aliceToken, group, "live");
        phone.await(f -> "msg.new".equals(f.path("type").asText()) && group.equals(f.path("conversation_id").asText()));
      }
      assertTrue(phone.all().stream().noneMatch(f -> notHeard.equals(f.path("conversation_id").asText())
              && "msg.new".equals(f.path("type").asText())),
          "the third group is not heard live: " + phone.all());
    }
    // Still a member of it: its history reads as usual.
    ApiClient.Response history = api.get(daveToken, "/v1/conversations/" + notHeard + "/messages");
    assertEquals(200, history.status());
    assertEquals("not live", history.body().get("messages").get(0).get("content").asText());
  }
}
