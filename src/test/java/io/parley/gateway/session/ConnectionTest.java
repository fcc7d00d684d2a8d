package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ReceiptStatus;
import io.parley.user.DeviceEvent;
import io.parley.user.PendingQueue;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * A connection's registration with its UserActor and the replays of pending items it asks for:
 * when it registers again and replays, and in what order hello, pending items and live events go out.
 */
class ConnectionTest extends ConnectionFixture {
  @Test
  void aReRegistrationTheUserActorHadLostReplaysWhatWasMissed() {
    registerAndReplay(new Registration(false, 2), 0);
    deliverLive(1, 2);
    // A heartbeat later the same UserActor run no longer had the connection (and has stored
    // item 3 meanwhile): whatever it stored in between never came, so it is replayed.
    time.timePasses(HEARTBEAT);
    answerRegistration(new Registration(false, 3));
    assertEquals(2, expectPendingAsked());
  }

  @Test
  void aReRegistrationThatMissedNothingReplaysNothing() {
    registerAndReplay(new Registration(false, 2), 0);
    deliverLive(1, 2);
    time.timePasses(HEARTBEAT);
    answerRegistration(new Registration(true, 2));
    user.expectNoMessage(Duration.ofMillis(200));
  }

  /**
   * The user's entity could not store the registration: it is asked again shortly, not after the
   * ask's timeout, and the refused ask's timeout later asks nothing more.
   */
  @Test
  void aRegistrationTheUserActorCouldNotStoreIsAskedAgainShortly() {
    user.expectMessageClass(UserActor.Connect.class).connection().tell(new DeviceEvent.RegistrationRefused());
    time.timePasses(Connection.RETRY_AFTER);
    registerAndReplay(new Registration(false, 0), 0);
    time.timePasses(ASK_TIMEOUT); // the refused ask's timeout
    user.expectNoMessage(Duration.ofMillis(200));
    time.timePasses(Connection.RETRY_AFTER); // when a timeout's retry would ask
    user.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void anItemStillNotSentAHeartbeatAfterItWasStoredIsReplayed() {
    registerAndReplay(new Registration(false, 0), 0);
    deliverLive(1, 1);
    // Items 2 and 3 are stored, but their live copies are lost on the way: no later item shows the gap.
    time.timePasses(HEARTBEAT);
    answerRegistration(new Registration(true, 3));
    user.expectNoMessage(Duration.ofMillis(200));
    time.timePasses(HEARTBEAT);
    answerRegistration(new Registration(true, 3));
    assertEquals(1, expectPendingAsked());
  }

  @Test
  void itemsTheQueueNoLongerHoldsAreReportedNotSkippedSilently() {
    for (int i = 1; i <= 3; i++) {
      TestProbe<Outcome<ConversationActor.SendAck>> sent = harness.testKit.createTestProbe();
      conversation.tell(new ConversationActor.Send("alice", "c" + i, "text " + i, "text", sent.ref()));
      assertEquals(i, sent.receiveMessage().value().seq());
    }
    answerRegistration(new Registration(false, 6));
    assertEquals(0, expectPendingAsked());
    // Cursors 1..3 were dropped (the queue's cap) before this device acked them; 4..6 remain.
    lastPendingAsk.replyTo().tell(new UserActor.PendingPage(List.of(
        pending(4, 1), pending(5, 2), pending(6, 3)), false));
    assertEquals("hello", nextFrame().get("type").asText());
    JsonNode dropped = nextFrame();
    assertEquals("error", dropped.get("type").asText());
    assertEquals("pending_dropped", dropped.get("code").asText());
    assertEquals(1, dropped.get("from_cursor").asLong());
    assertEquals(3, dropped.get("to_cursor").asLong());
    for (long cursor = 4; cursor <= 6; cursor++) {
      assertEquals(cursor, nextFrame().get("cursor").asLong());
    }
  }

  @Test
  void replayedReceiptsFollowMessagesInCursorOrderAndOneALaterReceiptCoversIsSkipped() {
    for (int i = 1; i <= 2; i++) {
      TestProbe<Outcome<ConversationActor.SendAck>> sent = harness.testKit.createTestProbe();
      conversation.tell(new ConversationActor.Send("alice", "c" + i, "text " + i, "text", sent.ref()));
      assertEquals(i, sent.receiveMessage().value().seq());
    }
    answerRegistration(new Registration(false, 5));
    assertEquals(0, expectPendingAsked());
    lastPendingAsk.replyTo().tell(new UserActor.PendingPage(List.of(
        pending(1, 1), receipt(2, 1, ReceiptStatus.DELIVERED), receipt(3, 1, ReceiptStatus.READ),
        pending(4, 2), receipt(5, 2, ReceiptStatus.DELIVERED)), false));
    assertEquals("hello", nextFrame().get("type").asText());
    assertEquals(1, nextFrame().get("cursor").asLong());
    // Cursor 2 (delivered through seq 1) is covered by cursor 5: not sent, and not a gap either.
    JsonNode read = nextFrame();
    assertEquals(List.of("receipt", "3", "1", "carol", "read"), List.of(read.get("type").asText(),
        read.get("cursor").asText(), read.get("seq").asText(), read.get("user_id").asText(), read.get("status").asText()));
    assertEquals(CONVERSATION, read.get("conversation_id").asText());
    assertEquals("msg.new", nextFrame().get("type").asText());
    JsonNode delivered = nextFrame();
    assertEquals(List.of("receipt", "5", "2", "delivered"), List.of(delivered.get("type").asText(),
        delivered.get("cursor").asText(), delivered.get("seq").asText(), delivered.get("status").asText()));
    // Live, a receipt item follows in cursor order like a message.
    connection.tell(new DeviceEvent.ReceiptItem(6,
        new DeviceEvent.Receipt(CONVERSATION, 2, "carol", ReceiptStatus.READ)));
    assertEquals(6, nextFrame().get("cursor").asLong());
    socket.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void helloComesFirstThenThePendingItemsAndOnlyThenTheEventsThatArrivedMeanwhile() {
    TestProbe<Outcome<ConversationActor.SendAck>> sent = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Send("alice", "c1", "text 1", "text", sent.ref()));
    assertEquals(1, sent.receiveMessage().value().seq());
    connection.tell(new DeviceEvent.Typing("d:alice:bob", "alice"));
    answerRegistration(new Registration(false, 1));
    assertEquals(0, expectPendingAsked());
    connection.tell(new DeviceEvent.Typing("d:alice:bob", "alice")); // while the pending items are read
    SocketOutput.Outbound hello = socket.receiveMessage();
    assertTrue(hello instanceof SocketOutput.Text text && text.hello() && text.json().contains("\"type\":\"hello\""),
        "hello, marked so for the replies waiting for it: " + hello);
    // Answers wait for hello only, in the socket (see ClientSocketStageTest); events wait for what was pending.
    socket.expectNoMessage(Duration.ofMillis(200));
    lastPendingAsk.replyTo().tell(new UserActor.PendingPage(List.of(pending(1, 1)), false));
    JsonNode pendingItem = nextFrame();
    assertEquals(List.of("msg.new", "1"), List.of(pendingItem.get("type").asText(), pendingItem.get("cursor").asText()));
    assertEquals("typing", nextFrame().get("type").asText());
    assertEquals("typing", nextFrame().get("type").asText());
    // Once the pending items are out, an event goes out as it comes.
    connection.tell(new DeviceEvent.Typing("d:alice:bob", "alice"));
    assertEquals("typing", nextFrame().get("type").asText());
  }

  @Test
  void eventsStopWaitingWhenThePendingItemsCannotBeRead() {
    answerRegistration(new Registration(false, 1));
    assertEquals(0, expectPendingAsked());
    connection.tell(new DeviceEvent.Typing("d:alice:bob", "alice"));
    assertEquals("hello", nextFrame().get("type").asText());
    // Cursor 1 names a message its conversation never stored: the replay cannot read it, and
    // tries again later; live events go out meanwhile.
    lastPendingAsk.replyTo().tell(new UserActor.PendingPage(List.of(pending(1, 7)), false));
    assertEquals("typing", nextFrame().get("type").asText());
  }

  @Test
  void whatTheDeviceAckedMeanwhileIsNotSentAgainByTheReplay() {
    // The device had items 1..2 from a connection that died; this one's replay starts at 0.
    answerRegistration(new Registration(false, 3));
    assertEquals(0, expectPendingAsked());
    for (long cursor = 1; cursor <= 3; cursor++) {
      connection.tell(new DeviceEvent.MsgNew(cursor, message(cursor))); // held while the replay runs
    }
    connection.tell(new Connection.Acked(2));
    lastPendingAsk.replyTo().tell(new UserActor.PendingPage(List.of(), false));
    assertEquals("hello", nextFrame().get("type").asText());
    JsonNode only = nextFrame();
    assertEquals(3, only.get("cursor").asLong(), "1 and 2 were acked: " + only);
    socket.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aReplayAsksForNoMorePagesWhileTheSocketSaysItsOutputIsBehind() {
    TestProbe<Outcome<ConversationActor.SendAck>> sent = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Send("alice", "c1", "text 1", "text", sent.ref()));
    assertEquals(1, sent.receiveMessage().value().seq());
    connection.tell(new Connection.Backlog(true));
    answerRegistration(new Registration(false, 2));
    assertEquals(0, expectPendingAsked());
    lastPendingAsk.replyTo().tell(new UserActor.PendingPage(List.of(pending(1, 1)), true));
    assertEquals("hello", nextFrame().get("type").asText());
    assertEquals("msg.new", nextFrame().get("type").asText());
    user.expectNoMessage(Duration.ofMillis(200));
    connection.tell(new Connection.Backlog(false));
    assertEquals(1, expectPendingAsked());
  }

  private static UserActor.PendingDelivery receipt(long cursor, long seq, ReceiptStatus status) {
    return new UserActor.PendingDelivery(cursor, new PendingQueue.Item(CONVERSATION, seq, "carol", 1L, status));
  }

  private static UserActor.PendingDelivery pending(long cursor, long seq) {
    return new UserActor.PendingDelivery(cursor, new PendingQueue.Item(CONVERSATION, seq, "alice", 1L));
  }
}
