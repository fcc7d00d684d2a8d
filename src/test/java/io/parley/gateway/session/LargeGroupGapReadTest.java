package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.LiveEvent;
import io.parley.conversation.LiveGroups;
import io.parley.conversation.MessageHistory;
import io.parley.conversation.MessageReader;
import io.parley.gateway.Entities;
import io.parley.gateway.relay.GroupRelay;
import io.parley.gateway.relay.KnownLargeGroups;
import io.parley.privacy.ContentSealing;
import io.parley.testing.EntityHarness;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connection reads what its large group's live feed skipped (a gap) as its user: a user who is
 * not a member of the group, any more or ever, gets nothing of it, whatever its relay told it.
 */
class LargeGroupGapReadTest {
  static final String GROUP = "g.gaps";

  EntityHarness harness;
  Entities entities;
  MessageHistory history;
  RecipientRef<ConversationActor.Command> group;

  @BeforeEach
  void start() {
    harness = new EntityHarness("parley.conversation { large-group-from = 5, max-group-members = 40 }");
    entities = harness.withRealConversation(GROUP);
    group = entities.conversation(GROUP);
    history = new MessageHistory(entities, new MessageReader(harness.journal(), harness.coldTier()),
        Duration.ofSeconds(5), harness.testKit.system());
    ConversationInfo created = this.<ConversationInfo>ask(replyTo ->
        new ConversationActor.Create("alice", "Crag", List.of("bob", "carol", "m0", "m1"), replyTo)).value();
    assertTrue(created.large());
    for (int i = 1; i <= 4; i++) {
      String id = "m" + i;
      assertEquals(i, this.<ConversationActor.SendAck>ask(replyTo ->
          new ConversationActor.Send("alice", id, "text " + id, "text", replyTo)).value().seq());
    }
  }

  @AfterEach
  void stop() {
    harness.shutdown();
  }

  private <T> Outcome<T> ask(Function<ActorRef<Outcome<T>>, ConversationActor.Command> command) {
    TestProbe<Outcome<T>> reply = harness.testKit.createTestProbe();
    group.tell(command.apply(reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(5));
  }

  /**
   * {@code userId} connects; its feed of the group starts after seq 1, then its relay reports seq 3
   * (a gap: 2 and 3 never came live), then relays message 4. Answers the seqs of the messages the
   * socket got, in order, up to and including 4.
   */
  private List<Long> seqsHeardBy(String userId) {
    TestProbe<UserActor.Command> user = harness.userProbe(userId);
    TestProbe<SocketOutput.Outbound> socket = harness.testKit.createTestProbe();
    ActorRef<Object> connection = harness.testKit.spawn(Connection.create(userId, "phone",
        harness.clock.instant().plus(Duration.ofHours(1)), entities, history,
        new ContentSealing(harness.contentKeys), new LiveConnections(),
        new GroupRelay.Started(harness.testKit.createTestProbe().ref().unsafeUpcast(), LiveGroups.NONE,
            harness.groupMembers, KnownLargeGroups.over(harness.groupMembers)),
        new ConnectionFixture.ProbedLiveness(harness.testKit.createTestProbe()), Duration.ofSeconds(30),
        ConnectionFixture.ASK_TIMEOUT, harness.clock));
    connection.tell(new Connection.Attach(socket.ref()::tell));
    expect(user, UserActor.Connect.class).replyTo().tell(new UserActor.Connected(0, user.ref(), 1, false, 0));
    expect(user, UserActor.GetPending.class).replyTo().tell(new UserActor.PendingPage(List.of(), false));
    assertEquals("hello", frame(socket).get("type").asText());

    ChatMessage fourth = history.messages(GROUP, 4, 4).toCompletableFuture().join().get(0);
    connection.tell(new LiveEvent.Joined(GROUP, 1));
    connection.tell(new LiveEvent.Joined(GROUP, 3));
    connection.tell(new LiveEvent.Messages(GROUP, List.of(fourth)));
    List<Long> seqs = new ArrayList<>();
    while (seqs.isEmpty() || seqs.get(seqs.size() - 1) < 4) {
      JsonNode frame = frame(socket);
      if (frame.get("type").asText().equals("msg.new")) {
        seqs.add(frame.get("seq").asLong());
      }
    }
    return seqs;
  }

  /** The next {@code type} the user entity is told, past membership notices. */
  private static <T extends UserActor.Command> T expect(TestProbe<UserActor.Command> user, Class<T> type) {
    List<UserActor.Command> told = user.fishForMessage(Duration.ofSeconds(5), command -> type.isInstance(command)
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    return type.cast(told.get(told.size() - 1));
  }

  private static JsonNode frame(TestProbe<SocketOutput.Outbound> socket) {
    SocketOutput.Outbound out = socket.receiveMessage(Duration.ofSeconds(5));
    String json = out instanceof SocketOutput.Opening opening
        ? opening.json().toCompletableFuture().join()
        : ((SocketOutput.Text) out).json();
    try {
      return ConnectionFixture.JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aMemberGetsTheGapReadFromHistory() {
    assertEquals(List.of(2L, 3L, 4L), seqsHeardBy("carol"));
  }

  @Test
  void aFormerMemberGetsNothingOfTheGap() {
    assertTrue(this.<Done>ask(replyTo -> new ConversationActor.RemoveMembers("alice", List.of("bob"), replyTo)).isOk());
    assertEquals(List.of(4L), seqsHeardBy("bob"), "only what its relay handed it live");
  }

  @Test
  void someoneWhoWasNeverAMemberGetsNothingOfTheGap() {
    assertEquals(List.of(4L), seqsHeardBy("mallory"), "only what its relay handed it live");
  }
}
