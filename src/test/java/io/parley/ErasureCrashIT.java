package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.storage.DynamoDbErasureRegistry;
import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.WsClient;
import io.parley.user.ErasureRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #14: an erasure cut short by kill -9 resumes and finishes by itself. Alice is in many
 * groups with Bob and has sent a message to each; she erases her account and the node is killed
 * once the erasure has reached some of her groups. Restarted on the same data, with nobody asking
 * for Alice again, every group must lose her as a member (as Bob sees them) and the erasure table
 * must forget her. That the kill came half-way is checked, not assumed: after the restart one of
 * her messages still stands in some group, read from the conversation as Bob. If the erasure won
 * the race, the test tries again with twice the groups.
 */
class ErasureCrashIT {
  static final int FIRST_GROUPS = 300;
  static final int ATTEMPTS = 3;
  /** The resumer's first round comes a few seconds after start, then every interval. */
  static final String RESUME_INTERVAL = "5s";
  static final int CLIENTS = 8;

  @TempDir Path temp;
  final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);

  @AfterEach
  void stopClients() {
    clients.shutdownNow();
  }

  @Test
  void anErasureCutShortByKillNineFinishesWithoutAnyoneAskingAgain() throws Exception {
    Map<String, String> env = Map.of(
        "PARLEY_ERASURE_RESUME_INTERVAL", RESUME_INTERVAL,
        "PARLEY_RATE_LIMIT_PER_MINUTE", "1000000", "PARLEY_RATE_LIMIT_BURST", "1000000");
    List<String> jvm = List.of(
        "-Dparley.gateway.rate-limit.group-changes-per-minute=1000000",
        "-Dparley.gateway.rate-limit.group-changes-burst=1000000");
    try (ParleyProcess node = ParleyProcess.start(temp, env, jvm)) {
      ApiClient api = new ApiClient(node);
      ErasureRegistry registry = registryOf(node);
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        String alice = "alice-" + attempt;
        String bob = "bob-" + attempt;
        int count = FIRST_GROUPS << attempt;
        long setUpStarted = System.nanoTime();
        List<String> groups = createGroupsWithOneMessageEach(api, alice, bob, count);

        try (WsClient bobWs = WsClient.connect(node, api.token(bob), "watch")) {
          bobWs.await(WsClient.type("hello"));
          ApiClient.Response erasing = api.delete(api.token(alice), "/v1/me", "");
          assertEquals(202, erasing.status(), "under way: " + erasing);
          assertTrue(listed(registry, alice), "recorded before the entity was asked");
          // Bob hears of a group she left: the erasure has got going. Then the node dies.
          bobWs.await(frame -> leftGroup(frame, groups, alice), Duration.ofSeconds(60));
        }
        node.kill();
        long killedAt = System.nanoTime();
        node.launch();
        long restartedAt = System.nanoTime();
        String standing = groupWhereHerMessageStands(api, bob, alice, groups);
        if (standing == null) {
          System.out.printf("ErasureCrashIT: the erasure of %d groups was done before the kill; again with more%n", count);
          continue;
        }

        awaitErased(node, api, registry, alice, bob, groups, Duration.ofSeconds(120));
        System.out.printf("ErasureCrashIT: %d groups set up, erasing, killed after %d s, half-way (%s still held her message);"
                + " after the restart (%d s) the erasure finished unasked within %d s%n",
            count, seconds(killedAt - setUpStarted), standing, seconds(restartedAt - killedAt),
            seconds(System.nanoTime() - restartedAt));
        return;
      }
      fail("the erasure always finished before the kill, up to " + (FIRST_GROUPS << (ATTEMPTS - 1)) + " groups");
    }
  }

  /** Groups Alice creates with Bob, each with a message of hers (she never becomes a mere preview). */
  private List<String> createGroupsWithOneMessageEach(ApiClient api, String alice, String bob, int count)
      throws Exception {
    String token = api.token(alice);
    List<Future<String>> created = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = i;
      created.add(clients.submit(() -> {
        ApiClient.Response group = api.post(token, "/v1/groups", "{\"title\":\"g" + n + "\",\"members\":[\"" + bob + "\"]}");
        assertEquals(200, group.status(), group.toString());
        String id = group.body().get("conversation_id").asText();
        ApiClient.Response sent = api.post(token, "/v1/messages",
            "{\"conversation_id\":\"" + id + "\",\"client_msg_id\":\"m" + n + "\",\"content\":\"hers " + n + "\"}");
        assertEquals(200, sent.status(), sent.toString());
        return id;
      }));
    }
    List<String> groups = new ArrayList<>();
    for (Future<String> group : created) {
      groups.add(group.get(120, TimeUnit.SECONDS));
    }
    return groups.stream().sorted().toList();
  }

  private static boolean leftGroup(JsonNode frame, List<String> groups, String alice) {
    return frame.path("type").asText().equals("conversation.updated")
        && groups.contains(frame.path("conversation_id").asText())
        && !strings(frame.get("members")).contains(alice);
  }

  /**
   * A group where Alice's message still stands in the conversation's own history, proof that her
   * erasure had not finished when the node died; null if none. The erasure takes her groups in id
   * order, so the last ones are looked at first, before the resumer's first round can reach them.
   */
  private static String groupWhereHerMessageStands(ApiClient api, String bob, String alice, List<String> groups) {
    String token = api.token(bob);
    for (int i = groups.size() - 1; i >= 0; i--) {
      for (JsonNode message : history(api, token, groups.get(i)).get("messages")) {
        if (message.get("sender_id").asText().equals(alice) && !message.get("content_type").asText().equals("deleted")) {
          return groups.get(i);
        }
      }
    }
    return null;
  }

  /** A group's history as the user reads it, asked again while the restarted node answers 503 (recovering). */
  private static JsonNode history(ApiClient api, String token, String group) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      ApiClient.Response history = api.get(token, "/v1/conversations/" + group + "/messages");
      if (history.status() == 200) {
        return history.body();
      }
      assertTrue(history.status() == 503 && System.nanoTime() < deadline, history.toString());
    }
  }

  /**
   * Without anyone asking for Alice: the erasure table forgets her (the resumer found her erasure
   * done), every group's history shows her message as a tombstone (the conversations' own record),
   * and Bob's inbox lists her in none of them. Bob's connection paces the checks: each waits for
   * his next update, or a second.
   */
  private static void awaitErased(ParleyProcess node, ApiClient api, ErasureRegistry registry, String alice,
      String bob, List<String> groups, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String token = api.token(bob);
    try (WsClient bobWs = WsClient.connect(node, token, "watch")) {
      while (listed(registry, alice)) {
        assertTrue(System.nanoTime() < deadline, () -> "after " + timeout + " the erasure table still lists " + alice
            + "\n" + node.recentWarnings());
        bobWs.poll(Duration.ofSeconds(1));
      }
      List<String> standing = groups.stream()
          .filter(group -> groupWhereHerMessageStands(api, bob, alice, List.of(group)) != null).toList();
      assertEquals(List.of(), standing, "forgotten as done, yet her message stands in these groups");
      while (true) {
        Map<String, List<String>> members = membersSeenBy(api, token);
        List<String> stillIn = groups.stream()
            .filter(group -> !members.containsKey(group) || members.get(group).contains(alice)).toList();
        if (stillIn.isEmpty()) {
          return;
        }
        assertTrue(System.nanoTime() < deadline, () -> "after " + timeout + " the conversations have erased " + alice
            + ", but " + stillIn.size() + " of " + groups.size() + " groups still list her in " + bob
            + "'s inbox (or are missing from it): " + stillIn + "\n" + node.recentWarnings());
        bobWs.poll(Duration.ofSeconds(1));
      }
    }
  }

  /** Each conversation in the user's inbox with its members, read page by page. */
  private static Map<String, List<String>> membersSeenBy(ApiClient api, String token) {
    Map<String, List<String>> members = new HashMap<>();
    String page = "/v1/inbox?limit=200";
    while (true) {
      ApiClient.Response inbox = api.get(token, page);
      if (inbox.status() == 503) {
        return members; // recovering: what was read so far, so the caller asks again
      }
      assertEquals(200, inbox.status(), inbox.toString());
      long oldest = Long.MAX_VALUE;
      int added = 0;
      for (JsonNode item : inbox.body().get("items")) {
        if (members.put(item.get("conversation_id").asText(), strings(item.get("members"))) == null) {
          added++;
        }
        oldest = Math.min(oldest, item.get("last_message_ts").asLong());
      }
      if (added == 0 || inbox.body().get("items").size() < 200) {
        return members;
      }
      // before_ts is exclusive: one past the oldest, so items sharing its time are not skipped.
      page = "/v1/inbox?limit=200&before_ts=" + (oldest + 1);
    }
  }

  private static List<String> strings(JsonNode array) {
    return array == null ? List.of()
        : StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  /** The node's erasure table, through its embedded DynamoDB (the same port across restarts). */
  private ErasureRegistry registryOf(ParleyProcess node) {
    AmazonDynamoDB dynamo = AmazonDynamoDBClientBuilder.standard()
        .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(
            "http://127.0.0.1:" + node.env("PARLEY_DYNAMODB_EMBEDDED_PORT"), "us-east-1"))
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials("local", "local")))
        .build();
    return new DynamoDbErasureRegistry(dynamo, "parley-erasures", clients, Clock.systemUTC());
  }

  private static boolean listed(ErasureRegistry registry, String userId) throws Exception {
    return registry.unfinished().toCompletableFuture().get(30, TimeUnit.SECONDS).stream()
        .anyMatch(erasure -> erasure.userId().equals(userId));
  }

  private static long seconds(long nanos) {
    return TimeUnit.NANOSECONDS.toSeconds(nanos);
  }
}
