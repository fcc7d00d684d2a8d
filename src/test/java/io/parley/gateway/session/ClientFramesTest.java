package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ReceiptStatus;
import io.parley.gateway.WireFormat;
import io.parley.user.DeviceEvent;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * One connection's client frames in and reply frames out, with probes in place of the entities:
 * what PROTOCOL.md promises for bad input, token refreshes and the frames the server sends.
 */
class ClientFramesTest extends ClientFramesFixture {
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

  /**
   * A seq below 1 can never hold a message: ill-typed input, refused before any entity is asked
   * (before, the conversation was asked and it answered not_found).
   */
  @Test
  void aDeleteOfASeqBelowOneIsABadRequestAndReachesNoEntity() {
    for (String seq : new String[] {"-1", "0"}) {
      CompletionStage<Optional<String>> reply = reply("{\"type\": \"msg.delete\", \"req_id\": \"d" + seq
          + "\", \"conversation_id\": \"d:alice:bob\", \"seq\": " + seq + "}");
      assertError(reply, "d" + seq, "bad_request");
      assertEquals("seq must be a positive integer", json(reply).get("message").asText());
    }
    bob.expectNoMessage(Duration.ofMillis(100));
    conversation.expectNoMessage(Duration.ofMillis(100));
  }

  /** Half a surrogate pair is no text: refused before anything is stored (see ClientJsonTest). */
  @Test
  void aSendWhoseStringsAreNotUnicodeTextIsRefusedAndReachesNoEntity() {
    assertError(reply("{\"type\": \"msg.send\", \"req_id\": \"u1\", \"conversation_id\": \"d:alice:bob\", "
        + "\"client_msg_id\": \"c\\ud800\", \"content\": \"hi\"}"), "u1", "bad_request");
    assertError(reply("{\"type\": \"msg.send\", \"req_id\": \"u2\", \"conversation_id\": \"d:alice:bob\", "
        + "\"client_msg_id\": \"c2\", \"content\": \"hi \\ud83d\"}"), "u2", "bad_request");
    // A req_id that is not text is not echoed.
    assertError(reply("{\"type\": \"ping\", \"req_id\": \"r\\udc00\"}"), null, "bad_request");
    bob.expectNoMessage(Duration.ofMillis(100));
    conversation.expectNoMessage(Duration.ofMillis(100));
  }

  /**
   * A push token is what APNs or FCM issued: 1–4,096 printable ASCII characters. One with a space,
   * a line break or beyond the bound is refused with a message naming the rule (a token of 5,000
   * characters was told "token must be a non-empty string"), and reaches no entity.
   */
  @Test
  void aPushTokenIsOneToFourThousandNinetySixPrintableAsciiCharacters() {
    for (String token : new String[] {"", "x".repeat(4097), "ab cd", "ab\\ncd", "caf\u00e9"}) {
      CompletionStage<Optional<String>> answer = reply("{\"type\": \"device.register\", \"req_id\": \"t1\", "
          + "\"platform\": \"apns\", \"token\": \"" + token + "\"}");
      assertError(answer, "t1", "bad_request");
      assertEquals("token must be 1–4096 printable ASCII characters (as APNs or FCM issued it)",
          json(answer).get("message").asText(), token);
    }
    bob.expectNoMessage(Duration.ofMillis(100));
    // One stored before tokens were checked may still be removed.
    reply("{\"type\": \"device.unregister\", \"req_id\": \"t2\", \"platform\": \"apns\", \"token\": \"ab cd\"}");
    assertEquals("ab cd", bob.expectMessageClass(UserActor.UnregisterPushToken.class).token().token());
  }

  /**
   * A member page starts after a user id (the {@code next_after} of the page before): anything
   * else is refused here, for a large group's page is read from the store by that key, where an
   * empty or overlong one fails the read and would be answered "unavailable; retry" for ever. An
   * empty one is no start at all: the first page, as {@code ?after=} reads over HTTP.
   */
  @Test
  void aMemberPageStartsAfterAUserIdOrFromTheFirst() {
    for (String after : new String[] {"x".repeat(65), "a b", "bob\\n"}) {
      assertError(reply("{\"type\": \"conversation.members\", \"req_id\": \"m1\", "
          + "\"conversation_id\": \"d:alice:bob\", \"after\": \"" + after + "\"}"), "m1", "bad_request");
    }
    bob.expectNoMessage(Duration.ofMillis(100));
    conversation.expectNoMessage(Duration.ofMillis(100));

    reply("{\"type\": \"conversation.members\", \"req_id\": \"m2\", \"conversation_id\": \"d:alice:bob\", "
        + "\"after\": \"\"}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(2, 0));
    assertEquals(null, conversation.expectMessageClass(ConversationActor.GetMembers.class).after());
  }

  /** after_conversation_id names a page's last item, so it comes with that item's time. */
  @Test
  void anInboxPageAfterAConversationNeedsItsTimeAndAConversationId() {
    assertError(reply("{\"type\": \"inbox.get\", \"req_id\": \"i1\", \"after_conversation_id\": \"g.a\"}"),
        "i1", "bad_request");
    for (String after : new String[] {"1", "\"\"", "\"a b\"", "\"" + "g".repeat(200) + "\""}) {
      assertError(reply("{\"type\": \"inbox.get\", \"req_id\": \"i2\", \"before_ts\": 5, "
          + "\"after_conversation_id\": " + after + "}"), "i2", "bad_request");
    }
    bob.expectNoMessage(Duration.ofMillis(100));

    reply("{\"type\": \"inbox.get\", \"req_id\": \"i3\", \"before_ts\": 5, \"after_conversation_id\": \"g.a\"}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(2, 0));
    UserActor.GetInbox asked = bob.expectMessageClass(UserActor.GetInbox.class);
    assertEquals(new io.parley.user.InboxCursor(5L, "g.a"), asked.cursor());
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
  void aTokenJustPastItsExpiryRefreshesNothing() {
    String expiring = auth.issue("bob", Duration.ofMinutes(1));
    harness.clock.advance(Duration.ofSeconds(70));
    assertError(frames.handle("{\"type\": \"auth.refresh\", \"req_id\": \"a\", \"token\": \"" + expiring + "\"}"),
        "a", "unauthorized");
    connection.expectNoMessage(Duration.ofMillis(100)); // the connection keeps its old expiry
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

  @Test
  void aContactNeverConnectedHasNoLastSeen() {
    // Only over HTTP, say: presence follows connections, and none was ever seen, so not the epoch.
    JsonNode never = WireFormat.event(new DeviceEvent.Presence("carol", false, 0), 2000);
    assertEquals("offline", never.get("status").asText());
    assertFalse(never.has("last_seen"), never.toString());
  }
}
