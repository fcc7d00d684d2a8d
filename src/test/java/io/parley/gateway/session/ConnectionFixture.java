package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.conversation.ChatMessage;
import io.parley.gateway.Entities;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.MessageReader;
import io.parley.gateway.relay.GroupRelay;
import io.parley.gateway.relay.KnownLargeGroups;
import io.parley.privacy.ContentSealing;
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

/**
 * What the tests of one connection share: a {@link Connection} for bob's phone with a probe as its
 * UserActor, a real conversation for its replays to read, time moved by hand, and the steps that
 * answer its registration and read what it sends the socket.
 */
abstract class ConnectionFixture {
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

  /** Time moved by hand; a test of the real scheduler's limits overrides it with "" (and has no {@link #time}). */
  String schedulerConfig() {
    return ManualTime.config().root().render();
  }

  Duration tokenLifetime() {
    return TOKEN_LIFETIME;
  }

  @BeforeEach
  void start() {
    harness = new EntityHarness(schedulerConfig());
    time = schedulerConfig().isEmpty() ? null : ManualTime.get(harness.testKit.system());
    user = harness.userProbe("bob");
    socket = harness.testKit.createTestProbe();
    liveness = new ProbedLiveness(harness.testKit.createTestProbe());
    // A real conversation holds the messages a replay reads.
    Entities entities = harness.withRealConversation(CONVERSATION);
    conversation = entities.conversation(CONVERSATION);
    MessageHistory history = new MessageHistory(entities, new MessageReader(harness.journal(), harness.coldTier()),
        Duration.ofSeconds(5), harness.testKit.system());
    connection = harness.testKit.spawn(
        Connection.create("bob", "phone", harness.clock.instant().plus(tokenLifetime()), entities, history,
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

  record Registration(boolean alreadyRegistered, long lastCursor) {}

  /** Answers the first registration, then the replay it starts (empty: nothing was pending). */
  void registerAndReplay(Registration registration, long acked) {
    answerRegistration(registration);
    assertEquals(acked, expectPendingAsked());
    lastPendingAsk.replyTo().tell(new UserActor.PendingPage(List.of(), false));
    assertEquals("hello", nextFrame().get("type").asText());
  }

  UserActor.GetPending lastPendingAsk;

  long expectPendingAsked() {
    lastPendingAsk = user.expectMessageClass(UserActor.GetPending.class);
    return lastPendingAsk.afterCursor();
  }

  void answerRegistration(Registration registration) {
    UserActor.Connect connect = user.expectMessageClass(UserActor.Connect.class);
    connect.replyTo().tell(new UserActor.Connected(
        0, user.ref(), 1, registration.alreadyRegistered(), registration.lastCursor()));
  }

  void deliverLive(long fromCursor, long toCursor) {
    for (long cursor = fromCursor; cursor <= toCursor; cursor++) {
      connection.tell(new DeviceEvent.MsgNew(cursor, message(cursor)));
      JsonNode frame = nextFrame();
      assertEquals("msg.new", frame.get("type").asText());
      assertEquals(cursor, frame.get("cursor").asLong());
    }
  }

  static ChatMessage message(long seq) {
    return new ChatMessage("d:alice:bob", seq, "m" + seq, "alice", "c" + seq, "hi", "text", 1L);
  }

  JsonNode nextFrame() {
    SocketOutput.Outbound out = socket.receiveMessage();
    assertTrue(out instanceof SocketOutput.Text, "a text frame: " + out);
    try {
      return JSON.readTree(((SocketOutput.Text) out).json());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
