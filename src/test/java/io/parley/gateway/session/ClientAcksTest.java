package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * A device's acks: PROTOCOL.md makes them durable once a later frame on the connection is
 * answered, so that frame's answer waits for them to be stored.
 */
class ClientAcksTest extends ClientFramesFixture {
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
    ackTaken(3);

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
    ackTaken(4);
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

  /**
   * The user's entity could not store the acks (its write refused): the frame after them is told
   * unavailable, safe to retry, at once. An entity on a node of an earlier version (a rolling
   * update) answers a sync with a bare Done, which still answers the frame.
   */
  @Test
  void theFrameAfterAnAckIsToldUnavailableWhenTheAckCouldNotBeStored() {
    ackTaken(3);
    CompletionStage<Optional<String>> pong = frames.handle("{\"type\": \"ping\", \"req_id\": \"p1\"}");
    bob.expectMessageClass(UserActor.Sync.class).replyTo()
        .tell(Outcome.rejected(Outcome.Reason.UNAVAILABLE, "could not store the acks now; retry"));
    assertError(pong, "p1", "unavailable");

    ackTaken(3);
    pong = frames.handle("{\"type\": \"ping\", \"req_id\": \"p2\"}");
    @SuppressWarnings({"unchecked", "rawtypes"})
    ActorRef<Object> earlierVersion = (ActorRef) bob.expectMessageClass(UserActor.Sync.class).replyTo();
    earlierVersion.tell(Done.INSTANCE);
    assertEquals("pong", json(pong).get("type").asText());
  }

  /** An ack sent, accepted by the user's entity and taken by the connection. */
  private void ackTaken(long cursor) {
    frames.handle("{\"type\": \"ack\", \"cursor\": " + cursor + "}");
    bob.expectMessageClass(UserActor.Ack.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    ((Connection.Acked) connection.receiveMessage()).taken().complete(null);
  }
}
