package io.parley;

import static io.parley.testing.WsClient.frame;
import static io.parley.testing.WsClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eatthepath.pushy.apns.server.RejectionReason;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.ApnsTestServer;
import io.parley.testing.FcmTestServer;
import io.parley.testing.ParleyProcess;
import io.parley.testing.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push end to end: a real node (its own JVM) configured only through PARLEY_APNS_* and
 * PARLEY_FCM_*, pushing to pushy's MockApnsServer and a local FCM v1 server in this JVM; clients
 * register their tokens over WebSocket and HTTP.
 *
 * <p>The node and the two providers are shared; each test has its own sender, recipients and
 * device tokens, looks only at the pushes to its own tokens, and starts with both providers
 * answering normally: the tests pass in any order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PushIT {
  static final Duration GATHER = Duration.ofMillis(1500);
  static final Duration WINDOW = Duration.ofSeconds(4);
  static final String SECRET = "meet at the old quarry at dawn";

  ApnsTestServer apns;
  FcmTestServer fcm;
  ParleyProcess node;
  ApiClient api;
  /** This test's sender, who also watches presence for {@link #goOffline}. */
  WsClient alice;
  String aliceId;

  @BeforeAll
  void start(@TempDir Path temp) throws Exception {
    Path keys = Files.createDirectories(temp.resolve("keys"));
    apns = new ApnsTestServer(keys);
    fcm = new FcmTestServer(keys);
    Map<String, String> env = new HashMap<>();
    env.putAll(apns.nodeEnv());
    env.putAll(fcm.nodeEnv());
    env.put("PARLEY_PUSH_GATHER_DELAY", GATHER.toMillis() + "ms");
    env.put("PARLEY_PUSH_COALESCE_WINDOW", WINDOW.toMillis() + "ms");
    env.put("PARLEY_PUSH_MIN_BACKOFF", "100ms");
    env.put("PARLEY_PUSH_CALL_TIMEOUT", "2s");
    env.put("PARLEY_RATE_LIMIT_BURST", "1000");
    env.put("PARLEY_RATE_LIMIT_PER_MINUTE", "6000");
    env.put("PARLEY_LARGE_GROUP_FROM", "6"); // the other tests' groups stay small
    node = ParleyProcess.start(temp, env);
    api = new ApiClient(node);
  }

  /** Providers answering again, whatever an earlier test made them do; a sender of this test's own. */
  @BeforeEach
  void freshSenderAndHealthyProviders() {
    fcm.recover();
    fcm.failNext(0, 500);
    apns.failNext(0, RejectionReason.SERVICE_UNAVAILABLE);
    aliceId = user("alice");
    alice = connect(aliceId, "laptop");
  }

  @AfterEach
  void closeSender() {
    fcm.recover();
    if (alice != null) {
      alice.close();
    }
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
    apns.close();
    fcm.close();
  }

  static String user(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  WsClient connect(String userId, String deviceId) {
    return WsClient.connectAndAwaitHello(node, api.token(userId), deviceId);
  }

  void register(WsClient client, String platform, String token) {
    if ("apns".equals(platform)) {
      apns.addDeviceToken(token);
    }
    JsonNode reply = client.request(frame("device.register").put("platform", platform).put("token", token));
    assertEquals("device.registered", reply.get("type").asText(), reply.toString());
  }

  /**
   * Closes the user's only connection and waits until the server has them offline (a presence
   * with last_seen: the user first writes to alice in their direct conversation, which makes her
   * a contact who is shown it; alice, online and without push tokens, is pushed nothing).
   */
  void goOffline(WsClient client, String userId) {
    String direct = SharedChatNode.directId(aliceId, userId);
    JsonNode written = client.request(frame("msg.send").put("conversation_id", direct)
        .put("client_msg_id", UUID.randomUUID().toString()).put("content", "going offline"));
    assertEquals("msg.ack", written.get("type").asText(), written.toString());
    client.close();
    alice.send(frame("presence.subscribe").set("user_ids", ApiClient.JSON.createArrayNode().add(userId)));
    alice.await(f -> type("presence").test(f) && f.get("user_id").asText().equals(userId)
        && f.get("status").asText().equals("offline") && f.has("last_seen"));
    alice.send(frame("presence.unsubscribe").set("user_ids", ApiClient.JSON.createArrayNode().add(userId)));
  }

  String group(String... members) {
    var list = ApiClient.JSON.createArrayNode();
    for (String member : members) {
      list.add(member);
    }
    JsonNode created = alice.request(frame("conversation.create").put("title", "t").set("members", list));
    assertTrue(created.hasNonNull("conversation_id"), "created: " + created);
    return created.get("conversation_id").asText();
  }

  JsonNode send(String conversationId, String content) {
    JsonNode ack = alice.request(frame("msg.send").put("conversation_id", conversationId)
        .put("client_msg_id", UUID.randomUUID().toString()).put("content", content));
    assertEquals("msg.ack", ack.get("type").asText(), ack.toString());
    return ack;
  }

  static <T> T next(BlockingQueue<T> queue, Predicate<T> matching, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      for (T item : queue) {
        if (matching.test(item)) {
          return item;
        }
      }
      assertTrue(System.nanoTime() < deadline, "nothing matched within " + within);
      Thread.sleep(25);
    }
  }

  static Predicate<ApnsTestServer.Push> apnsFor(String token, String conversationId) {
    return p -> p.token().equals(token) && p.payload() != null
        && p.payload().path("conversation_id").asText().equals(conversationId);
  }

  /** The seqs pushed to {@code token} for a conversation, in the order they arrived. */
  List<Long> apnsSeqs(String token, String conversationId) {
    return apns.accepted.stream().filter(apnsFor(token, conversationId))
        .map(p -> p.payload().path("seq").asLong()).toList();
  }

  long apnsCount(String token, String conversationId) {
    return apns.accepted.stream().filter(apnsFor(token, conversationId)).count();
  }

  @Test
  void offlineMembersGetAMetadataOnlyPushOnEveryDeviceAndOnlineMembersNone() throws Exception {
    String bobId = user("bob");
    String carolId = user("carol");
    String bobPhone = ApnsTestServer.token("bob-" + bobId);
    String carolPhone = ApnsTestServer.token("carol-" + carolId);
    WsClient bob = connect(bobId, "phone");
    register(bob, "apns", bobPhone);
    // The Android tablet registers over HTTP.
    ApiClient.Response registered = api.post(api.token(bobId), "/v1/devices",
        "{\"platform\":\"fcm\",\"token\":\"fcm-" + bobId + "\"}");
    assertEquals(200, registered.status(), String.valueOf(registered.body()));
    try (WsClient carol = connect(carolId, "phone")) {
      register(carol, "apns", carolPhone);
      String groupId = group(bobId, carolId);
      goOffline(bob, bobId);

      long seq = send(groupId, SECRET).get("seq").asLong();
      carol.await(f -> type("msg.new").test(f) && f.get("conversation_id").asText().equals(groupId));

      ApnsTestServer.Push push = next(apns.accepted, apnsFor(bobPhone, groupId), Duration.ofSeconds(20));
      assertEquals(seq, push.payload().path("seq").asLong());
      assertEquals(aliceId, push.payload().path("sender_id").asText());
      assertEquals(1, push.payload().path("aps").path("badge").asInt());
      assertEquals(groupId, push.headers().get("apns-collapse-id"));
      FcmTestServer.Send fcmPush = next(fcm.sends,
          s -> s.message().path("token").asText().equals("fcm-" + bobId), Duration.ofSeconds(20));
      JsonNode data = fcmPush.message().path("data");
      assertEquals(groupId, data.path("conversation_id").asText());
      assertEquals(Long.toString(seq), data.path("seq").asText());
      assertEquals("1", data.path("badge").asText());

      // Carol's push would have been due with Bob's: there is none, she is online.
      assertEquals(0, apnsCount(carolPhone, groupId));
      assertFalse(apns.accepted.stream().anyMatch(p -> p.rawPayload().contains(SECRET)), "content in an APNs push");
      assertFalse(fcm.sends.stream().anyMatch(s -> s.body().toString().contains(SECRET)), "content in an FCM push");
    }
  }

  @Test
  void inALargeGroupOnlyAMentionWakesAnOfflineMemberWithOnePush() throws Exception {
    String bobId = user("bob");
    String daveId = user("dave");
    String bobPhone = ApnsTestServer.token("mention-" + bobId);
    String davePhone = ApnsTestServer.token("mention-" + daveId);
    WsClient bob = connect(bobId, "phone");
    WsClient dave = connect(daveId, "phone");
    register(bob, "apns", bobPhone);
    register(dave, "apns", davePhone);
    group(bobId, daveId); // a small group: alice is shown their presence
    goOffline(bob, bobId);
    goOffline(dave, daveId);
    String large = group(bobId, daveId, user("x"), user("y"), user("z"));

    send(large, "for everyone, no push");
    JsonNode mention = alice.request(frame("msg.send").put("conversation_id", large)
        .put("client_msg_id", UUID.randomUUID().toString()).put("content", "bob, look")
        .set("mentions", ApiClient.JSON.createArrayNode().add(bobId)));
    long seq = mention.get("seq").asLong();

    ApnsTestServer.Push push = next(apns.accepted, apnsFor(bobPhone, large), Duration.ofSeconds(20));
    assertEquals(seq, push.payload().path("seq").asLong());
    assertEquals(aliceId, push.payload().path("sender_id").asText());
    // An unmentioned message would have been due before the mention: dave, never mentioned, got none.
    assertEquals(0, apnsCount(davePhone, large));
    assertEquals(List.of(seq), apnsSeqs(bobPhone, large), "one push");
  }

  @Test
  void aBurstOfAHundredMessagesGivesOnePushCarryingTheLatestSeqAndBadge() throws Exception {
    String bobId = user("bob");
    String bobPhone = ApnsTestServer.token("burst-" + bobId);
    WsClient bob = connect(bobId, "phone");
    register(bob, "apns", bobPhone);
    // A group with alice: presence is shown only to users who share a conversation.
    String conversation = group(bobId);
    goOffline(bob, bobId);
    for (int i = 1; i <= 100; i++) {
      alice.send(frame("msg.send").put("req_id", "burst-" + i).put("conversation_id", conversation)
          .put("client_msg_id", "burst-" + i).put("content", "message " + i));
    }
    for (int i = 1; i <= 100; i++) {
      String reqId = "burst-" + i;
      alice.await(f -> reqId.equals(f.path("req_id").asText()) && type("msg.ack").test(f));
    }
    ApnsTestServer.Push push = next(apns.accepted, apnsFor(bobPhone, conversation), Duration.ofSeconds(20));
    assertEquals(100, push.payload().path("seq").asLong());
    assertEquals(100, push.payload().path("aps").path("badge").asInt());
    // Nothing newer arrived, so the window ends without another push: the next one is for the
    // next message, sent once the window is over.
    long later = send(conversation, "after the burst").get("seq").asLong();
    next(apns.accepted, p -> apnsFor(bobPhone, conversation).test(p) && p.payload().path("seq").asLong() == later,
        Duration.ofSeconds(20));
    assertEquals(List.of(100L, later), apnsSeqs(bobPhone, conversation));
  }

  @Test
  void reconnectingBeforeThePushIsDueStopsIt() throws Exception {
    String bobId = user("bob");
    String bobPhone = ApnsTestServer.token("back-" + bobId);
    WsClient bob = connect(bobId, "phone");
    register(bob, "apns", bobPhone);
    String groupId = group(bobId);
    goOffline(bob, bobId);
    send(groupId, "are you there?");
    try (WsClient back = connect(bobId, "phone")) {
      back.await(f -> type("msg.new").test(f) && f.get("conversation_id").asText().equals(groupId));
      goOffline(back, bobId);
    }
    // The push was due GATHER after the send; Bob came back first. The next message, sent while
    // he is away again, is the first one pushed.
    long later = send(groupId, "and now?").get("seq").asLong();
    next(apns.accepted, p -> apnsFor(bobPhone, groupId).test(p) && p.payload().path("seq").asLong() == later,
        Duration.ofSeconds(20));
    assertEquals(List.of(later), apnsSeqs(bobPhone, groupId));
  }

  @Test
  void deadTokensAreRemovedAndATokenBelongsOnlyToItsLatestUser() throws Exception {
    String erinId = user("erin");
    String erinOld = ApnsTestServer.token("old-" + erinId);
    String erinNew = ApnsTestServer.token("new-" + erinId);
    String frankId = user("frank");
    String graceId = user("grace");
    String shared = ApnsTestServer.token("shared-" + frankId);
    WsClient erin = connect(erinId, "phone");
    register(erin, "apns", erinOld);
    register(erin, "apns", erinNew);
    apns.unregister(erinOld);
    WsClient frank = connect(frankId, "phone");
    register(frank, "apns", shared);
    WsClient grace = connect(graceId, "phone");
    register(grace, "apns", shared); // the same phone, now signed in as Grace
    String erinGroup = group(erinId);
    String frankGroup = group(frankId);
    String graceGroup = group(graceId);
    goOffline(erin, erinId);
    goOffline(frank, frankId);
    goOffline(grace, graceId);

    send(erinGroup, "one");
    next(apns.accepted, apnsFor(erinNew, erinGroup), Duration.ofSeconds(20));
    next(apns.rejected, p -> p.token().equals(erinOld), Duration.ofSeconds(20));
    send(frankGroup, "for frank");
    send(graceGroup, "for grace");
    next(apns.accepted, apnsFor(shared, graceGroup), Duration.ofSeconds(20));
    assertEquals(0, apnsCount(shared, frankGroup), "Frank's push went to Grace's phone");

    // The next message (pushed once the window is over) goes to the live token only: the dead
    // one is gone.
    long second = send(erinGroup, "two").get("seq").asLong();
    next(apns.accepted, p -> apnsFor(erinNew, erinGroup).test(p) && p.payload().path("seq").asLong() == second,
        Duration.ofSeconds(20));
    assertEquals(1, apns.rejected.stream().filter(p -> p.token().equals(erinOld)).count(), "the dead token was tried again");
  }

  @Test
  void aHangingProviderDoesNotDelayChat() throws Exception {
    String hankId = user("hank");
    String ivyId = user("ivy");
    WsClient hank = connect(hankId, "tablet");
    register(hank, "fcm", "fcm-" + hankId);
    try (WsClient ivy = connect(ivyId, "phone")) {
      String groupId = group(hankId, ivyId);
      goOffline(hank, hankId);
      fcm.hang();
      long slowest = 0;
      for (int i = 0; i < 20; i++) {
        long started = System.nanoTime();
        long seq = send(groupId, "ping " + i).get("seq").asLong();
        ivy.await(f -> type("msg.new").test(f) && f.get("conversation_id").asText().equals(groupId)
            && f.get("seq").asLong() == seq);
        slowest = Math.max(slowest, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        if (i == 0) {
          // From here on the push to Hank's tablet is stuck in the provider.
          next(fcm.sends, s -> s.message().path("token").asText().equals("fcm-" + hankId), Duration.ofSeconds(20));
        }
      }
      System.out.println("PushIT: slowest send→ack→delivery with FCM hanging: " + slowest + " ms");
      assertTrue(slowest < 2000, "a message took " + slowest + " ms while FCM hung");
    } finally {
      fcm.recover();
    }
  }
}
