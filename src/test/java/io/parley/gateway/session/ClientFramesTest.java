package io.parley.gateway.session;

import io.parley.gateway.ChatService;
import io.parley.gateway.WireFormat;
import io.parley.gateway.relay.KnownLargeGroups;
import io.parley.gateway.relay.LargeGroupInbox;
import io.parley.limits.RateLimits;
import io.parley.limits.RequestTimeouts;
import io.parley.privacy.ContentSealing;
import io.parley.testing.MemoryKeyTable;
import io.parley.privacy.ContentKeys;
import io.parley.conversation.ReceiptStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.auth.JwtAuth;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.privacy.ContentKey;
import io.parley.conversation.ConversationSettings;
import io.parley.conversation.MessageHistory;
import io.parley.testing.EntityHarness;
import io.parley.user.AllowanceKind;
import io.parley.user.DeviceEvent;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One connection's client frames in and reply frames out, with probes in place of the entities:
 * what PROTOCOL.md promises for bad input, acks and replies, and the frames the server sends.
 */
class ClientFramesTest {
  EntityHarness harness;
  TestProbe<UserActor.Command> bob;
  TestProbe<ConversationActor.Command> conversation;
  TestProbe<Object> connection;
  JwtAuth auth;
  ClientFrames frames;

  @BeforeEach
  void start() {
    harness = new EntityHarness("");
    bob = harness.userProbe("bob");
    conversation = harness.conversationProbe("d:alice:bob");
    connection = harness.testKit.createTestProbe();
    auth = new JwtAuth("a-secret-of-at-least-thirty-two-bytes-0123", harness.clock);
    frames = framesWith(harness.contentKeys);
  }

  private ClientFrames framesWith(ContentKeys keys) {
    var settings = ConversationSettings.from(harness.config);
    var timeouts = new RequestTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5));
    var chat = new ChatService(harness, new MessageHistory(harness, null, Duration.ofSeconds(5), harness.testKit.system()),
        null, RateLimits.from(harness.config.getConfig("parley.gateway.rate-limit"), harness.clock, harness,
            timeouts, harness.testKit.system().scheduler()), settings, timeouts,
        new ContentSealing(keys),
        new LargeGroupInbox(harness, KnownLargeGroups.over(harness.groupMembers), Duration.ofSeconds(5),
            harness.testKit.system()),
        harness.testKit.system());
    return new ClientFrames("bob", "phone", chat, auth, harness, connection.ref());
  }

  @AfterEach
  void stop() {
    harness.shutdown();
  }

  @Test
  void badFramesGetAnErrorFrameAndReachNoEntity() {
    assertError(reply("not json"), null, "bad_request");
    assertError(reply("[1, 2]"), null, "bad_request");
    assertError(reply("{\"req_id\": \"r1\"}"), "r1", "bad_request");
    assertError(reply("{\"type\": \"warp\", \"req_id\": \"r2\"}"), "r2", "unknown_type");
    assertError(reply("{\"type\": \"ping\", \"req_id\": \"" + "x".repeat(ClientFrames.MAX_REQ_ID + 1) + "\"}"),
        null, "bad_request");
    assertError(reply("{\"type\": \"msg.send\", \"req_id\": \"r3\", \"conversation_id\": \"d:alice:bob\", "
        + "\"client_msg_id\": \"c1\"}"), "r3", "bad_request");
    // One id rule (auth.UserIds): a mention is a user id or "@all", and a member list holds user ids.
    assertError(reply("{\"type\": \"msg.send\", \"req_id\": \"r6\", \"conversation_id\": \"d:alice:bob\", "
        + "\"client_msg_id\": \"c6\", \"content\": \"hi\", \"mentions\": [\"bob smith\"]}"), "r6", "bad_request");
    assertError(reply("{\"type\": \"conversation.add_members\", \"req_id\": \"r7\", \"conversation_id\": \"g.1\", "
        + "\"members\": [\"a/b\"]}"), "r7", "bad_request");
    // Adding or removing no one is a mistake the client hears of, not a change that succeeds.
    assertError(reply("{\"type\": \"conversation.add_members\", \"req_id\": \"r10\", \"conversation_id\": \"g.1\", "
        + "\"members\": []}"), "r10", "bad_request");
    assertError(reply("{\"type\": \"conversation.remove_members\", \"req_id\": \"r11\", \"conversation_id\": \"g.1\", "
        + "\"members\": []}"), "r11", "bad_request");
    // A field given twice: refused, with the frame's req_id.
    assertError(reply("{\"type\": \"ping\", \"req_id\": \"r12\", \"type\": \"ping\"}"), "r12", "bad_request");
    // A title is 1-200 characters without control characters (a sealed title starts with one).
    assertError(reply("{\"type\": \"conversation.create\", \"req_id\": \"r8\", \"title\": \"\\u0001bob\", "
        + "\"members\": [\"carol\"]}"), "r8", "bad_request");
    assertError(reply("{\"type\": \"conversation.create\", \"req_id\": \"r9\", \"title\": \"" + "x".repeat(201)
        + "\", \"members\": [\"carol\"]}"), "r9", "bad_request");
    // PROTOCOL.md: invalid JSON gets bad_request and is not acted on; text after the object is invalid JSON.
    assertError(reply("{\"type\":\"ping\"} trailing"), null, "bad_request");
    assertError(reply("{\"type\":\"ping\"}{\"type\":\"ping\"}"), null, "bad_request");
    assertError(reply("{\"type\": \"ack\", \"req_id\": \"r4\", \"cursor\": -1}"), "r4", "bad_request");
    assertError(reply("{\"type\": \"ack\", \"req_id\": \"r5\", \"cursor\": \"7\"}"), "r5", "bad_request");
    bob.expectNoMessage(Duration.ofMillis(100));
    conversation.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aSendIsAnsweredWithItsAckOnceTheConversationStoredIt() {
    CompletionStage<Optional<String>> answer = frames.handle(
        "{\"type\": \"msg.send\", \"req_id\": \"s1\", \"conversation_id\": \"d:alice:bob\", "
            + "\"client_msg_id\": \"c1\", \"content\": \"hi\"}");
    // The user's send bucket lives in the user's entity: this node leases a few sends from it.
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    assertEquals(AllowanceKind.MESSAGES, lease.kind());
    assertFalse(answer.toCompletableFuture().isDone(), "nothing sent before the lease");
    conversation.expectNoMessage(Duration.ofMillis(50));
    lease.replyTo().tell(new UserActor.AllowanceLease(2, 0));
    var send = conversation.expectMessageClass(ConversationActor.Send.class);
    assertEquals("bob", send.senderId());
    // The content reaches the conversation sealed with the sender's key, and opens with it.
    assertNotEquals("hi", send.content());
    ContentKey key = harness.contentKeys.forReading("bob", send.keyId()).toCompletableFuture().join().orElseThrow();
    assertEquals(Optional.of("hi"), key.open(send.content(), ContentKey.messagePlace("d:alice:bob", "c1")));
    assertFalse(answer.toCompletableFuture().isDone(), "no ack before the conversation answers");
    send.replyTo().tell(Outcome.ok(new ConversationActor.SendAck("c1", "m-7", 7, 1234, true)));
    JsonNode ack = json(answer);
    assertEquals("msg.ack", ack.get("type").asText());
    assertEquals("s1", ack.get("req_id").asText());
    assertEquals(7, ack.get("seq").asLong());
    assertEquals("m-7", ack.get("message_id").asText());
  }

  /**
   * A connection's sends reach their conversation in the order it read them, even when they all
   * waited on the same thing first (here the user's first allowance lease; on a new account also
   * the content key): a device's messages keep the order they were typed in.
   */
  @Test
  void sendsReachTheConversationInTheOrderTheConnectionReadThem() {
    CompletableFuture<Void> keyStored = new CompletableFuture<>();
    MemoryKeyTable table = new MemoryKeyTable();
    // a new account's key, slow to store
    frames = framesWith(new ContentKeys(table.storingAfter(keyStored, () -> {}), 10));
    List<String> ids = List.of("s1", "s2", "s3", "s4", "s5");
    ids.forEach(this::send);
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    lease.replyTo().tell(new UserActor.AllowanceLease(ids.size(), 0));
    conversation.expectNoMessage(Duration.ofMillis(100));
    keyStored.complete(null);
    List<String> arrived = ids.stream()
        .map(id -> conversation.expectMessageClass(ConversationActor.Send.class).clientMsgId())
        .toList();
    assertEquals(ids, arrived);
  }

  private CompletionStage<Optional<String>> send(String reqId) {
    return frames.handle("{\"type\": \"msg.send\", \"req_id\": \"" + reqId + "\", "
        + "\"conversation_id\": \"d:alice:bob\", \"client_msg_id\": \"" + reqId + "\", \"content\": \"hi\"}");
  }

  @Test
  void sendsSpendALeaseOfTheUsersBucketHereAndTheExcessIsRefusedWithoutAskingAgain() {
    // Two pipelined sends wait for one lease, and reach the conversation in their order.
    send("s1");
    send("s2");
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    assertEquals(harness.config.getInt("parley.gateway.rate-limit.burst") / 4, lease.wanted());
    bob.expectNoMessage(Duration.ofMillis(50));
    lease.replyTo().tell(new UserActor.AllowanceLease(3, 0));
    assertEquals("s1", conversation.expectMessageClass(ConversationActor.Send.class).clientMsgId());
    assertEquals("s2", conversation.expectMessageClass(ConversationActor.Send.class).clientMsgId());
    // The third is spent from this node's share: no round trip.
    send("s3");
    assertEquals("s3", conversation.expectMessageClass(ConversationActor.Send.class).clientMsgId());
    bob.expectNoMessage(Duration.ofMillis(50));
    // The share is spent and the bucket is empty: refused, and not stored.
    CompletionStage<Optional<String>> fourth = send("s4");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(0, 1200));
    JsonNode limited = json(fourth);
    assertEquals("rate_limited", limited.get("code").asText());
    assertEquals("s4", limited.get("req_id").asText());
    assertEquals(1200, limited.get("retry_after_ms").asLong());
    // Until then, the refusal is remembered here: the excess costs no round trip.
    harness.clock.advance(Duration.ofMillis(200));
    assertEquals(1000, json(send("s5")).get("retry_after_ms").asLong());
    bob.expectNoMessage(Duration.ofMillis(50));
    conversation.expectNoMessage(Duration.ofMillis(50));
    harness.clock.advance(Duration.ofMillis(1000));
    send("s6");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(1, 0));
    assertEquals("s6", conversation.expectMessageClass(ConversationActor.Send.class).clientMsgId());
  }

  @Test
  void theFrameAfterAnAckIsAnsweredOnlyOnceTheAckIsStored() {
    CompletionStage<Optional<String>> ack = frames.handle("{\"type\": \"ack\", \"cursor\": 3}");
    var accepted = bob.expectMessageClass(UserActor.Ack.class);
    assertEquals(3, accepted.cursor());
    accepted.replyTo().tell(Outcome.ok(Done.INSTANCE));
    assertEquals(Optional.empty(), join(ack), "an ack has no reply");
    // The connection learns of it, so that a replay under way skips what the device has.
    Connection.Acked acked = (Connection.Acked) connection.receiveMessage();
    assertEquals(new Connection.Acked(3), acked);
    acked.taken().complete(null); // the connection took it

    CompletionStage<Optional<String>> pong = frames.handle("{\"type\": \"ping\", \"req_id\": \"p1\"}");
    var sync = bob.expectMessageClass(UserActor.Sync.class);
    assertFalse(pong.toCompletableFuture().isDone(), "answered before the ack was stored");
    sync.replyTo().tell(Outcome.ok(Done.INSTANCE));
    assertEquals("pong", json(pong).get("type").asText());
    // Nothing was acked since: the next frame is answered at once.
    assertEquals("pong", json(frames.handle("{\"type\": \"ping\"}")).get("type").asText());
    bob.expectNoMessage(Duration.ofMillis(100));
  }

  /** Once its answer is out, nothing acked may follow it on the socket: the connection takes the ack first. */
  @Test
  void theFrameAfterAnAckWaitsUntilTheConnectionHasTakenTheAck() {
    frames.handle("{\"type\": \"ack\", \"cursor\": 3}");
    bob.expectMessageClass(UserActor.Ack.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    Connection.Acked acked = (Connection.Acked) connection.receiveMessage();
    CompletionStage<Optional<String>> pong = frames.handle("{\"type\": \"ping\", \"req_id\": \"p1\"}");
    // The ack is stored meanwhile: the connection takes it alongside.
    bob.expectMessageClass(UserActor.Sync.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    connection.expectNoMessage(Duration.ofMillis(100));
    assertFalse(pong.toCompletableFuture().isDone(), "answered before the connection took the ack");
    acked.taken().complete(null);
    assertEquals("pong", json(pong).get("type").asText());
  }

  /**
   * A send after an ack: the sync names the message once it is stored, so that the user's entity
   * stores the ack with the message's copy for the sender's stream; the ack to the send waits for it.
   */
  @Test
  void aSendAfterAnAckIsAnsweredOnceTheAckIsStoredWithItsCopy() {
    frames.handle("{\"type\": \"ack\", \"cursor\": 3}");
    bob.expectMessageClass(UserActor.Ack.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    ((Connection.Acked) connection.receiveMessage()).taken().complete(null);

    CompletionStage<Optional<String>> answer = frames.handle(
        "{\"type\": \"msg.send\", \"req_id\": \"s1\", \"conversation_id\": \"d:alice:bob\", "
            + "\"client_msg_id\": \"c1\", \"content\": \"hi\"}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(2, 0));
    var send = conversation.expectMessageClass(ConversationActor.Send.class);
    bob.expectNoMessage(Duration.ofMillis(100)); // no sync before the message is stored
    send.replyTo().tell(Outcome.ok(new ConversationActor.SendAck("c1", "m-7", 7, 1234, true)));
    var sync = bob.expectMessageClass(UserActor.Sync.class);
    assertEquals("d:alice:bob", sync.conversationId());
    assertEquals(7, sync.seq());
    assertFalse(answer.toCompletableFuture().isDone(), "answered before the ack was stored");
    sync.replyTo().tell(Outcome.ok(Done.INSTANCE));
    assertEquals(7, json(answer).get("seq").asLong());

    // A repeat (or a large group's message) brings no copy: the sync stores the acks itself.
    frames.handle("{\"type\": \"ack\", \"cursor\": 4}");
    bob.expectMessageClass(UserActor.Ack.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    ((Connection.Acked) connection.receiveMessage()).taken().complete(null);
    answer = frames.handle(
        "{\"type\": \"msg.send\", \"req_id\": \"s2\", \"conversation_id\": \"d:alice:bob\", "
            + "\"client_msg_id\": \"c1\", \"content\": \"hi\"}");
    conversation.expectMessageClass(ConversationActor.Send.class).replyTo()
        .tell(Outcome.ok(new ConversationActor.SendAck("c1", "m-7", 7, 1234, false)));
    sync = bob.expectMessageClass(UserActor.Sync.class);
    assertNull(sync.conversationId());
    sync.replyTo().tell(Outcome.ok(Done.INSTANCE));
    assertEquals("m-7", json(answer).get("message_id").asText());
  }

  @Test
  void aConnectionWatchesThePresenceOfBoundedlyManyUsers() {
    String first = "{\"type\": \"presence.subscribe\", \"user_ids\": " + ids(0, ClientFrames.MAX_PRESENCE_SUBSCRIPTIONS) + "}";
    CompletionStage<Optional<String>> subscribed = frames.handle(first);
    // Presence frames spend a lease of the user's presence bucket; this one covers all that follow.
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    assertEquals(AllowanceKind.PRESENCE, lease.kind());
    lease.replyTo().tell(new UserActor.AllowanceLease(10, 0));
    // The user's own entity counts what all their connections watch (see the next test).
    assertEquals(ClientFrames.MAX_PRESENCE_SUBSCRIPTIONS, answerWatch(Outcome.ok(Done.INSTANCE)).userIds().size());
    assertEquals(Optional.empty(), join(subscribed));
    // The watched user's entity decides, so it is told whose connection asks.
    var subscribe = (UserActor.SubscribePresence) harness.userProbe("u0").receiveMessage();
    assertEquals("bob", subscribe.subscriberUserId());
    // Subscribing again to the same users adds none; one more user is one too many.
    CompletionStage<Optional<String>> again = frames.handle(first);
    answerWatch(Outcome.ok(Done.INSTANCE));
    assertEquals(Optional.empty(), join(again));
    assertError(frames.handle("{\"type\": \"presence.subscribe\", \"req_id\": \"p\", \"user_ids\": [\"one-more\"]}"),
        "p", "bad_request");
    harness.userProbe("one-more").expectNoMessage(Duration.ofMillis(100));
    // Once one is dropped, another fits.
    join(frames.handle("{\"type\": \"presence.unsubscribe\", \"user_ids\": [\"u0\"]}"));
    assertEquals(ClientFrames.MAX_PRESENCE_SUBSCRIPTIONS - 1, bob.expectMessageClass(UserActor.WatchPresence.class).userIds().size());
    CompletionStage<Optional<String>> oneMore = frames.handle("{\"type\": \"presence.subscribe\", \"user_ids\": [\"one-more\"]}");
    answerWatch(Outcome.ok(Done.INSTANCE));
    assertEquals(Optional.empty(), join(oneMore));
    assertEquals(UserActor.SubscribePresence.class, harness.userProbe("one-more").receiveMessage().getClass());
  }

  @Test
  void aSubscriptionPastWhatTheUsersConnectionsMayWatchInAllIsRefusedWhole() {
    CompletionStage<Optional<String>> subscribed =
        frames.handle("{\"type\": \"presence.subscribe\", \"req_id\": \"p\", \"user_ids\": [\"carol\", \"dave\"]}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(10, 0));
    answerWatch(Outcome.rejected(Outcome.Reason.BAD_REQUEST, "at most 1000 users in all"));
    assertError(subscribed, "p", "bad_request");
    harness.userProbe("carol").expectNoMessage(Duration.ofMillis(100));
    harness.userProbe("dave").expectNoMessage(Duration.ofMillis(1));
    connection.expectNoMessage(Duration.ofMillis(1));
  }

  /** The user's entity answers the connection's count of watched users. */
  private UserActor.WatchPresence answerWatch(Outcome<Done> answer) {
    var watch = bob.expectMessageClass(UserActor.WatchPresence.class);
    watch.replyTo().tell(answer);
    return watch;
  }

  private static String ids(int from, int count) {
    return java.util.stream.IntStream.range(from, from + count).mapToObj(i -> "\"u" + i + "\"")
        .collect(java.util.stream.Collectors.joining(",", "[", "]"));
  }

  @Test
  void typingNoticesBeyondTheUsersTypingLimitAreRefusedAndReachNoOne() {
    String typing = "{\"type\": \"typing\", \"conversation_id\": \"d:alice:bob\"}";
    CompletionStage<Optional<String>> firstNotice = frames.handle(typing);
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    assertEquals(AllowanceKind.TYPING, lease.kind());
    assertEquals(harness.config.getInt("parley.gateway.rate-limit.typing-burst") / 2, lease.wanted());
    conversation.expectNoMessage(Duration.ofMillis(50));
    lease.replyTo().tell(new UserActor.AllowanceLease(2, 0));
    assertEquals(Optional.empty(), join(firstNotice), "relayed, with no reply");
    conversation.expectMessageClass(ConversationActor.Typing.class);
    assertEquals(Optional.empty(), join(frames.handle(typing)));
    conversation.expectMessageClass(ConversationActor.Typing.class);
    // The lease is spent and the user's typing bucket is empty.
    CompletionStage<Optional<String>> third = frames.handle(
        "{\"type\": \"typing\", \"req_id\": \"t\", \"conversation_id\": \"d:alice:bob\"}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(0, 1500));
    JsonNode limited = json(third);
    assertEquals("rate_limited", limited.get("code").asText());
    assertEquals("t", limited.get("req_id").asText());
    assertEquals(1500, limited.get("retry_after_ms").asLong());
    conversation.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void groupChangesBeyondTheUsersLimitAreRefusedAndChangeNothing() {
    CompletionStage<Optional<String>> create = frames.handle(
        "{\"type\": \"conversation.create\", \"req_id\": \"g\", \"title\": \"team\", \"members\": [\"alice\"]}");
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    assertEquals(AllowanceKind.GROUP_CHANGES, lease.kind());
    lease.replyTo().tell(new UserActor.AllowanceLease(0, 3000));
    JsonNode limited = json(create);
    assertEquals("rate_limited", limited.get("code").asText());
    assertEquals("g", limited.get("req_id").asText());
    assertEquals(3000, limited.get("retry_after_ms").asLong());
    // Until then the refusal is remembered here, for adding members too.
    assertError(frames.handle("{\"type\": \"conversation.add_members\", \"req_id\": \"a\", "
        + "\"conversation_id\": \"d:alice:bob\", \"members\": [\"carol\"]}"), "a", "rate_limited");
    bob.expectNoMessage(Duration.ofMillis(50));
    conversation.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void aNewerTokenOfTheSameUserRefreshesTheConnection() {
    String newer = auth.issue("bob", Duration.ofHours(2));
    JsonNode refreshed = json(frames.handle("{\"type\": \"auth.refresh\", \"req_id\": \"a\", \"token\": \"" + newer + "\"}"));
    assertEquals("auth.refreshed", refreshed.get("type").asText());
    long expiresAt = harness.clock.instant().plus(Duration.ofHours(2)).toEpochMilli() / 1000 * 1000;
    assertEquals(expiresAt, refreshed.get("expires_at").asLong());
    assertEquals(new Connection.TokenRefreshed(java.time.Instant.ofEpochMilli(expiresAt)), connection.receiveMessage());
    // Another user's token, or none valid, refreshes nothing.
    String mallory = auth.issue("mallory", Duration.ofHours(2));
    assertError(frames.handle("{\"type\": \"auth.refresh\", \"req_id\": \"b\", \"token\": \"" + mallory + "\"}"),
        "b", "unauthorized");
    assertError(frames.handle("{\"type\": \"auth.refresh\", \"req_id\": \"c\", \"token\": \"junk\"}"), "c", "unauthorized");
    connection.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void serverFramesCarryWhatTheProtocolNames() {
    var message = new ChatMessage("d:alice:bob", 5, "m-5", "alice", "c5", "hello", "text", 1000);
    JsonNode item = WireFormat.event(new DeviceEvent.MsgNew(12, message), 2000);
    assertEquals("msg.new", item.get("type").asText());
    assertEquals(12, item.get("cursor").asLong());
    assertEquals(5, item.get("seq").asLong());
    assertEquals("c5", item.get("client_msg_id").asText());
    assertEquals(1000, item.get("server_ts").asLong());
    JsonNode receipt = WireFormat.event(
        new DeviceEvent.Receipt("d:alice:bob", 5, "bob", ReceiptStatus.READ), 2000);
    assertEquals("read", receipt.get("status").asText());
    JsonNode online = WireFormat.event(new DeviceEvent.Presence("alice", true, 10), 2000);
    assertEquals(2000, online.get("last_seen").asLong(), "online: seen now");
    JsonNode offline = WireFormat.event(new DeviceEvent.Presence("alice", false, 10), 2000);
    assertEquals("offline", offline.get("status").asText());
    assertEquals(10, offline.get("last_seen").asLong());
    // A user the subscriber may not watch: offline, with no last seen to tell anything.
    JsonNode hidden = WireFormat.event(new DeviceEvent.PresenceHidden("mallory"), 2000);
    assertEquals("presence", hidden.get("type").asText());
    assertEquals("mallory", hidden.get("user_id").asText());
    assertEquals("offline", hidden.get("status").asText());
    assertFalse(hidden.has("last_seen"));
  }

  private CompletionStage<Optional<String>> reply(String text) {
    return frames.handle(text);
  }

  private static void assertError(CompletionStage<Optional<String>> answer, String reqId, String code) {
    JsonNode error = json(answer);
    assertEquals("error", error.get("type").asText(), error.toString());
    assertEquals(code, error.get("code").asText(), error.toString());
    assertTrue(error.get("message").asText().length() > 0);
    if (reqId == null) {
      assertTrue(error.path("req_id").isMissingNode() || error.get("req_id").isNull(), error.toString());
    } else {
      assertEquals(reqId, error.get("req_id").asText());
    }
  }

  private static JsonNode json(CompletionStage<Optional<String>> answer) {
    try {
      return WireFormat.JSON.readTree(join(answer).orElseThrow());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
