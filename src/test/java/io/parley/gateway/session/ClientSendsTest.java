package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.privacy.ContentKey;
import io.parley.privacy.ContentKeys;
import io.parley.testing.MemoryKeyTable;
import io.parley.user.AllowanceKind;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * A connection's sends: answered with their ack once stored, in the order the connection read them,
 * and spending leases of the user's send bucket.
 */
class ClientSendsTest extends ClientFramesFixture {
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
   * A {@code req_id} and a {@code client_msg_id} are 1–64 characters as a user counts them
   * (PROTOCOL.md), as titles and content are: an emoji outside the BMP is one, not two UTF-16 units.
   */
  @Test
  void idsAreCountedInCharactersNotUtf16Units() {
    String id = CLIMBER.repeat(64);
    CompletionStage<Optional<String>> answer = frames.handle("{\"type\": \"msg.send\", \"req_id\": \"" + id
        + "\", \"conversation_id\": \"d:alice:bob\", \"client_msg_id\": \"" + id + "\", \"content\": \"hi\"}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(2, 0));
    var send = conversation.expectMessageClass(ConversationActor.Send.class);
    assertEquals(id, send.clientMsgId());
    send.replyTo().tell(Outcome.ok(new ConversationActor.SendAck(id, "m-1", 1, 1234, true)));
    JsonNode ack = json(answer);
    assertEquals("msg.ack", ack.get("type").asText());
    assertEquals(id, ack.get("req_id").asText());

    String tooLong = CLIMBER.repeat(65);
    assertError(frames.handle("{\"type\": \"ping\", \"req_id\": \"" + tooLong + "\"}"), null, "bad_request");
    assertError(frames.handle("{\"type\": \"msg.send\", \"req_id\": \"i2\", \"conversation_id\": \"d:alice:bob\", "
        + "\"client_msg_id\": \"" + tooLong + "\", \"content\": \"hi\"}"), "i2", "bad_request");
    conversation.expectNoMessage(Duration.ofMillis(100));
  }

  private static final String CLIMBER = "\uD83E\uDDD7"; // U+1F9D7, outside the BMP

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
}
