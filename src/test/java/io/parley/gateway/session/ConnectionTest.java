package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.conversation.ChatMessage;
import io.parley.cluster.Outcome;
import io.parley.gateway.Entities;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.MessageReader;
import io.parley.conversation.ReceiptStatus;
import io.parley.gateway.relay.GroupRelay;
import io.parley.gateway.relay.KnownLargeGroups;
import io.parley.privacy.ContentSealing;
import io.parley.user.PendingQueue;
import org.apache.pekko.actor.typed.RecipientRef;
import io.parley.conversation.LiveGroups;
import io.parley.conversation.MessageHistory;
import io.parley.testing.EntityHarness;
import io.parley.user.DeviceEvent;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connection's own bookkeeping, with a probe as its UserActor and time moved by hand: what it
 * sends the socket, and when it asks the UserActor to replay pending items.
 */
class ConnectionTest {
  static final Duration HEARTBEAT = Duration.ofSeconds(30);
  static final Duration TOKEN_LIFETIME = Duration.ofHours(1);
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
  static final ObjectMapper JSON = new ObjectMapper();

  EntityHarness harness;
  ManualTime time;
  TestProbe<UserActor.Command> user;
  TestProbe<SocketOutput.Outbound> socket;
  ActorRef<Object> connection;
  ProbedLiveness liveness;
  RecipientRef<ConversationActor.Command> conversation;
  static final String CONVERSATION = "d:alice:carol"; // bob's probe hears nothing of its hand-offs

  @BeforeEach
  void start() {
    harness = new EntityHarness(ManualTime.config().root().render());
    time = ManualTime.get(harness.testKit.system());
    user = harness.userProbe("bob");
    socket = harness.testKit.createTestProbe();
    liveness = new ProbedLiveness(harness.testKit.createTestProbe());
    // A real conversation holds the messages a replay reads.
    Entities entities = harness.withRealConversation(CONVERSATION);
    conversation = entities.conversation(CONVERSATION);
    MessageHistory history = new MessageHistory(entities, new MessageReader(harness.journal(), harness.coldTier()),
        Duration.ofSeconds(5), harness.testKit.system());
    connection = harness.testKit.spawn(
        Connection.create("bob", "phone", harness.clock.instant().plus(TOKEN_LIFETIME), entities, history,
            new ContentSealing(harness.contentKeys), new LiveConnections(),
            new GroupRelay.Started(harness.testKit.createTestProbe().ref().unsafeUpcast(), LiveGroups.NONE,
                harness.groupMembers, KnownLargeGroups.over(harness.groupMembers)),
            liveness, HEARTBEAT, ASK_TIMEOUT, harness.clock));
    connection.tell(new Connection.Attach(socket.ref()::tell));
  }

  /** The socket's side of the heartbeat: says how silent the client is, and tells a probe what it was asked. */
  static final class ProbedLiveness implements Heartbeat.Liveness {
    final TestProbe<String> asked;
    volatile long silentMillis;

    ProbedLiveness(TestProbe<String> asked) {
      this.asked = asked;
    }

    @Override
    public void ping() {
      asked.ref().tell("ping");
    }

    @Override
    public long silentMillis() {
      return silentMillis;
    }

    @Override
    public void closeIdle(long silentMillis) {
      asked.ref().tell("close after " + silentMillis + " ms");
    }
  }

  @AfterEach
  void stop() {
    harness.shutdown();
  }

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

  /** The user's entity could not store the registration: it is asked again shortly, not after the ask's timeout. */
  @Test
  void aRegistrationTheUserActorCouldNotStoreIsAskedAgainShortly() {
    user.expectMessageClass(UserActor.Connect.class).connection().tell(new DeviceEvent.RegistrationRefused());
    time.timePasses(Connection.RETRY_AFTER);
    registerAndReplay(new Registration(false, 0), 0);
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

  private static UserActor.PendingDelivery receipt(long cursor, long seq, ReceiptStatus status) {
    return new UserActor.PendingDelivery(cursor, new PendingQueue.Item(CONVERSATION, seq, "carol", 1L, status));
  }

  private static UserActor.PendingDelivery pending(long cursor, long seq) {
    return new UserActor.PendingDelivery(cursor, new PendingQueue.Item(CONVERSATION, seq, "alice", 1L));
  }

  @Test
  void theClientIsPingedEveryHeartbeatAndClosedOnceSilentForTwice() {
    registerAndReplay(new Registration(false, 0), 0);
    time.timePasses(HEARTBEAT);
    assertEquals("ping", liveness.asked.receiveMessage());
    // The client answers nothing from now on: at the next heartbeat it has been silent for 1.5 of them.
    liveness.silentMillis = HEARTBEAT.toMillis() * 3 / 2;
    time.timePasses(HEARTBEAT);
    assertEquals("ping", liveness.asked.receiveMessage());
    // Half a heartbeat later it is silent for two: closed then, not at the next heartbeat.
    liveness.silentMillis = HEARTBEAT.toMillis() * 2;
    time.timePasses(HEARTBEAT.dividedBy(2).minusMillis(1));
    liveness.asked.expectNoMessage(Duration.ofMillis(100));
    time.timePasses(Duration.ofMillis(1));
    assertEquals("close after " + HEARTBEAT.toMillis() * 2 + " ms", liveness.asked.receiveMessage());
  }

  @Test
  void aClientThatAnswersIsPingedButNeverClosed() {
    registerAndReplay(new Registration(false, 0), 0);
    for (int beat = 0; beat < 4; beat++) {
      time.timePasses(HEARTBEAT);
      assertEquals("ping", liveness.asked.receiveMessage());
    }
    liveness.asked.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void presenceSubscriptionsWakeNobodyAtHeartbeatsAndAreRenewedWhenTheWatchedUserComesOnline() {
    registerAndReplay(new Registration(false, 0), 0);
    connection.tell(new Connection.PresenceWatched(java.util.Set.of("carol")));
    time.timePasses(HEARTBEAT);
    answerRegistration(new Registration(true, 0));
    harness.userProbe("carol").expectNoMessage(Duration.ofMillis(200));
    // Carol's entity (passivated meanwhile) comes back as a device of hers connects: it says so to every node.
    TestProbe<UserActor.Command> carolsEntity = harness.testKit.createTestProbe();
    io.parley.user.PresenceNotices notices = io.parley.user.PresenceNotices.get(harness.testKit.system());
    notices.renew(new io.parley.user.PresenceNotices.Online("carol", carolsEntity.ref()));
    var renewal = (UserActor.RenewPresence) carolsEntity.receiveMessage();
    assertEquals("bob", renewal.subscriberUserId());
    // Once the connection closes, a notice renews nothing.
    connection.tell(new Connection.Closed());
    harness.testKit.createTestProbe().expectTerminated(connection, Duration.ofSeconds(5));
    notices.renew(new io.parley.user.PresenceNotices.Online("carol", carolsEntity.ref()));
    carolsEntity.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aWatchedUserWhoseEntityStopsWhileOnlineIsAskedAgainOnce() {
    registerAndReplay(new Registration(false, 0), 0);
    connection.tell(new Connection.PresenceWatched(java.util.Set.of("carol", "dave")));
    TestProbe<UserActor.Command> carolsEntity = harness.testKit.createTestProbe();
    TestProbe<UserActor.Command> davesEntity = harness.testKit.createTestProbe();
    connection.tell(new DeviceEvent.Presence("carol", true, 0, carolsEntity.ref()));
    connection.tell(new DeviceEvent.Presence("dave", true, 0, davesEntity.ref()));
    connection.tell(new DeviceEvent.Presence("dave", false, 5, davesEntity.ref()));
    // Carol's entity stops while she is online (its node failed): her offline may never come.
    carolsEntity.stop();
    var renewal = (UserActor.RenewPresence) harness.userProbe("carol").receiveMessage();
    assertEquals("bob", renewal.subscriberUserId());
    // Dave's said offline: it may stop (passivate) without waking it again.
    davesEntity.stop();
    harness.userProbe("dave").expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aConnectionWhoseTokenExpiresIsToldSoAndClosed() {
    registerAndReplay(new Registration(false, 0), 0);
    time.timePasses(TOKEN_LIFETIME);
    JsonNode expired = nextFrame();
    assertEquals("error", expired.get("type").asText());
    assertEquals("unauthorized", expired.get("code").asText());
    assertTrue(socket.receiveMessage() instanceof SocketOutput.Complete);
  }

  @Test
  void aRefreshedTokenKeepsTheConnectionPastTheFirstOnesExpiry() {
    registerAndReplay(new Registration(false, 0), 0);
    connection.tell(new Connection.TokenRefreshed(harness.clock.instant().plus(TOKEN_LIFETIME.multipliedBy(2))));
    time.timePasses(TOKEN_LIFETIME.plusMinutes(1));
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

  private record Registration(boolean alreadyRegistered, long lastCursor) {}

  /** Answers the first registration, then the replay it starts (empty: nothing was pending). */
  private void registerAndReplay(Registration registration, long acked) {
    answerRegistration(registration);
    assertEquals(acked, expectPendingAsked());
    lastPendingAsk.replyTo().tell(new UserActor.PendingPage(List.of(), false));
    assertEquals("hello", nextFrame().get("type").asText());
  }

  private UserActor.GetPending lastPendingAsk;

  private long expectPendingAsked() {
    lastPendingAsk = user.expectMessageClass(UserActor.GetPending.class);
    return lastPendingAsk.afterCursor();
  }

  private void answerRegistration(Registration registration) {
    UserActor.Connect connect = user.expectMessageClass(UserActor.Connect.class);
    connect.replyTo().tell(new UserActor.Connected(
        0, user.ref(), 1, registration.alreadyRegistered(), registration.lastCursor()));
  }

  private void deliverLive(long fromCursor, long toCursor) {
    for (long cursor = fromCursor; cursor <= toCursor; cursor++) {
      connection.tell(new DeviceEvent.MsgNew(cursor, message(cursor)));
      JsonNode frame = nextFrame();
      assertEquals("msg.new", frame.get("type").asText());
      assertEquals(cursor, frame.get("cursor").asLong());
    }
  }

  private static ChatMessage message(long seq) {
    return new ChatMessage("d:alice:bob", seq, "m" + seq, "alice", "c" + seq, "hi", "text", 1L);
  }

  private JsonNode nextFrame() {
    SocketOutput.Outbound out = socket.receiveMessage();
    assertTrue(out instanceof SocketOutput.Text, "a text frame: " + out);
    try {
      return JSON.readTree(((SocketOutput.Text) out).json());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
