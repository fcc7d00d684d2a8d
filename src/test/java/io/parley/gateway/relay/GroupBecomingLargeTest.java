package io.parley.gateway.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.LiveEvent;
import io.parley.conversation.LiveGroups;
import io.parley.gateway.Entities;
import io.parley.testing.EntityHarness;
import io.parley.user.DeviceEvent;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A small group grows large while its members are connected: a real group and this node's real
 * relay ({@link GroupRelay}), connections and user entities as probes. Each device hears of the
 * change once: a member from before by its user entity (which drops the group from its inbox),
 * a member just added by the relay.
 */
class GroupBecomingLargeTest {
  static final String GROUP = "g.growing";

  EntityHarness harness;
  RecipientRef<ConversationActor.Command> group;
  GroupRelay.Started relay;

  @BeforeEach
  void start() {
    harness = new EntityHarness("parley.conversation { large-group-from = 5, max-group-members = 40 }");
    // The group is spawned before the relay it tells, which needs the group: it tells through this.
    AtomicReference<LiveGroups> live = new AtomicReference<>(LiveGroups.NONE);
    harness.liveGroups = new LiveGroups() {
      @Override
      public void membershipChanged(ConversationInfo info, List<String> joined, List<String> left) {
        live.get().membershipChanged(info, joined, left);
      }

      @Override
      public void becameLarge(ConversationInfo info, List<String> members, List<String> toldByUserEntities) {
        live.get().becameLarge(info, members, toldByUserEntities);
      }
    };
    Entities entities = harness.withRealConversation(GROUP);
    group = entities.conversation(GROUP);
    relay = GroupRelay.start(harness.testKit.system(), entities, harness.groupMembers);
    live.set(relay.liveGroups());
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

  private TestProbe<Object> online(String userId) {
    TestProbe<Object> connection = harness.testKit.createTestProbe();
    relay.relay().tell(new GroupRelay.Online(userId, connection.ref(), List.of()));
    return connection;
  }

  /** What the connection is told until it hears message {@code seq} live holds no {@code conversation.updated}. */
  private static void hearsWithoutAnUpdate(TestProbe<Object> connection, long seq) {
    connection.fishForMessage(Duration.ofSeconds(5), event ->
        event instanceof DeviceEvent.ConversationUpdated
            ? FishingOutcomes.fail("the relay told it too: " + event)
            : event instanceof LiveEvent.Messages messages && messages.messages().get(0).seq() == seq
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndIgnore());
  }

  @Test
  void eachDeviceHearsOfTheGroupBecomingLargeOnce() {
    assertTrue(this.<ConversationInfo>ask(replyTo ->
        new ConversationActor.Create("alice", "Crag", List.of("bob"), replyTo)).isOk());
    TestProbe<Object> alice = online("alice");
    TestProbe<Object> bob = online("bob");
    TestProbe<Object> m0 = online("m0");

    assertTrue(this.<Done>ask(replyTo ->
        new ConversationActor.AddMembers("alice", List.of("m0", "m1", "m2"), replyTo)).isOk());
    for (String before : List.of("alice", "bob")) {
      harness.userProbe(before).fishForMessage(Duration.ofSeconds(5), command ->
          command instanceof UserActor.ConversationChanged changed && changed.info().large()
              ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    }
    m0.fishForMessage(Duration.ofSeconds(5), event ->
        event instanceof DeviceEvent.ConversationUpdated updated && updated.memberCount() == 5
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());

    long seq = this.<ConversationActor.SendAck>ask(replyTo ->
        new ConversationActor.Send("m0", "after", "hello", "text", replyTo)).value().seq();
    hearsWithoutAnUpdate(alice, seq);
    hearsWithoutAnUpdate(bob, seq);
  }

  private long send(String sender, String id) {
    return this.<ConversationActor.SendAck>ask(replyTo ->
        new ConversationActor.Send(sender, id, "text of " + id, "text", replyTo)).value().seq();
  }

  /** The seq the connection is first told it hears {@code GROUP} after. */
  private static long hearsAfter(TestProbe<Object> connection) {
    return ((LiveEvent.Joined) connection.fishForMessage(Duration.ofSeconds(5), event ->
        event instanceof LiveEvent.Joined joined && joined.conversationId().equals(GROUP)
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0)).lastSeq();
  }

  /**
   * A connection's feed of a large group starts after the seq it is told (LargeGroupFeeds); what
   * came later is sent, or read from history. It was told the group's seq once the change's member
   * rows were written, not at the change: a message stored meanwhile went to no member's device,
   * neither as a stream item (the group was large) nor live (the feed started after it).
   */
  @Test
  void messagesStoredWhileAChangesRowsAreWrittenAreInEveryMembersFeed() {
    assertTrue(this.<ConversationInfo>ask(replyTo ->
        new ConversationActor.Create("alice", "Crag", List.of("bob"), replyTo)).isOk());
    TestProbe<Object> bob = online("bob");
    TestProbe<Object> m0 = online("m0");
    TestProbe<Object> m3 = online("m3");
    long atChange = send("alice", "before");

    CompletableFuture<Void> rowsWritten = new CompletableFuture<>();
    harness.groupMembers.writesEnd = rowsWritten;
    TestProbe<Outcome<Done>> added = harness.testKit.createTestProbe();
    group.tell(new ConversationActor.AddMembers("alice", List.of("m0", "m1", "m2"), added.ref()));
    send("alice", "while the rows are written");
    harness.groupMembers.writesEnd = null;
    rowsWritten.complete(null);
    assertTrue(added.receiveMessage(Duration.ofSeconds(5)).isOk());
    assertEquals(atChange, hearsAfter(bob), "bob, a member before, hears what came after the change");
    assertEquals(atChange, hearsAfter(m0), "m0 joined after seq " + atChange);

    // The same for a member added to the large group.
    long atAdd = send("alice", "before m3");
    CompletableFuture<Void> rowWritten = new CompletableFuture<>();
    harness.groupMembers.writesEnd = rowWritten;
    group.tell(new ConversationActor.AddMembers("alice", List.of("m3"), added.ref()));
    send("alice", "while m3's row is written");
    harness.groupMembers.writesEnd = null;
    rowWritten.complete(null);
    assertTrue(added.receiveMessage(Duration.ofSeconds(5)).isOk());
    assertEquals(atAdd, hearsAfter(m3), "m3 joined after seq " + atAdd);
  }
}
