package io.parley.conversation;

import static io.parley.testing.EntityHarness.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.user.DeviceEvent;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a member who left or was removed is still told of the group, small or large (from 5
 * members here): nothing of what others do there after they went.
 */
class FormerMembersTest {
  ConversationFixture conversations;
  String groupId = "g." + UUID.randomUUID();

  @BeforeEach
  void setUp() {
    conversations = new ConversationFixture(
        "parley.conversation { large-group-from = 5, max-group-members = 40, handoff-retry-interval = 100ms }");
  }

  @AfterEach
  void tearDown() {
    conversations.close();
  }

  private <T> Outcome<T> ask(ActorRef<ConversationActor.Command> group,
      java.util.function.Function<ActorRef<Outcome<T>>, ConversationActor.Command> command) {
    return conversations.ask(group, command);
  }

  private long send(ActorRef<ConversationActor.Command> group, String sender, String id) {
    Outcome<ConversationActor.SendAck> sent = ask(group,
        replyTo -> new ConversationActor.Send(sender, id, "text of " + id, "text", replyTo));
    assertTrue(sent.isOk(), sender + ": " + sent);
    return sent.value().seq();
  }

  private ActorRef<ConversationActor.Command> group(List<String> others) {
    var group = conversations.spawn(groupId);
    assertTrue(this.<ConversationInfo>ask(group,
        replyTo -> new ConversationActor.Create("alice", "Crag", others, replyTo)).isOk());
    return group;
  }

  private void leave(ActorRef<ConversationActor.Command> group, String userId) {
    assertTrue(this.<Done>ask(group, replyTo -> new ConversationActor.Leave(userId, replyTo)).isOk());
  }

  /** A small group's sender who left got a `receipt` each time a member read or acked their old messages. */
  @Test
  void aSmallGroupsSenderWhoLeftGetsNoMoreReceipts() {
    var group = group(List.of("bob", "carol"));
    send(group, "bob", "before-leaving");
    leave(group, "bob");
    long seq = send(group, "alice", "after");
    received(conversations.harness.userProbe("bob"), Duration.ofMillis(200));
    group.tell(new ConversationActor.Delivered("carol", seq));
    group.tell(new ConversationActor.Read("carol", seq));
    assertEquals(new UserActor.DeliverReceipt(groupId, seq, "carol", ReceiptStatus.READ),
        conversations.harness.userProbe("alice").fishForMessage(Duration.ofSeconds(5), told ->
            told instanceof UserActor.DeliverReceipt r && r.status() == ReceiptStatus.READ
                ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0));
    assertTrue(received(conversations.harness.userProbe("bob"), Duration.ofMillis(300)).stream()
        .noneMatch(told -> told instanceof UserActor.DeliverReceipt), "bob left: told no receipt");
  }

  /** A large group's sender who left went on getting `receipt.counts` of their old messages. */
  @Test
  void aLargeGroupsSenderWhoLeftGetsNoMoreReceiptCounts() {
    var group = group(IntStream.range(0, 5).mapToObj(i -> "m" + i).toList());
    long left = send(group, "m0", "m0-before-leaving");
    long stays = send(group, "m1", "m1-staying");
    leave(group, "m0");
    received(conversations.harness.userProbe("m0"), Duration.ofMillis(200));
    group.tell(new ConversationActor.Relayed(List.of(
        new ConversationActor.CountAdded(left, 3, 0), new ConversationActor.CountAdded(stays, 3, 0))));
    assertTrue(this.<Done>ask(group, replyTo -> new ConversationActor.MarkRead("m2", stays, replyTo)).isOk());
    // Both messages' counts are told in one go, the one that left first: once m1 has its, m0 would have had one.
    conversations.harness.userProbe("m1").fishForMessage(Duration.ofSeconds(5), told ->
        told instanceof UserActor.Notify n && n.event() instanceof DeviceEvent.ReceiptCounts c && c.read() == 1
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    assertTrue(received(conversations.harness.userProbe("m0"), Duration.ofMillis(300)).stream()
        .noneMatch(told -> told instanceof UserActor.Notify n && n.event() instanceof DeviceEvent.ReceiptCounts),
        "m0 left: told no counts");
  }

  /**
   * A member who left is told so again until their user entity says it holds it: the retries
   * carried the membership of the moment, so one who left learned who joined after them.
   */
  @Test
  void aFormerMemberToldAgainThatTheyLeftLearnsNothingNewer() {
    var group = group(List.of("bob", "carol"));
    leave(group, "bob"); // bob's user entity never says it holds it: told again
    ConversationInfo leftWith = ((UserActor.ConversationChanged) conversations.harness.userProbe("bob")
        .fishForMessage(Duration.ofSeconds(5), told -> told instanceof UserActor.ConversationChanged changed
            && !changed.info().members().contains("bob")
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0)).info();
    assertEquals(List.of("alice", "carol"), leftWith.members());
    assertTrue(this.<Done>ask(group, replyTo -> new ConversationActor.AddMembers("alice", List.of("dave"), replyTo))
        .isOk());
    conversations.awaitProcessed(group);
    received(conversations.harness.userProbe("bob"), Duration.ofMillis(0));
    conversations.harness.clock.advance(Duration.ofMillis(150)); // the retry is due
    ConversationInfo retold = conversations.next("bob", UserActor.ConversationChanged.class).info();
    assertEquals(List.of("alice", "carol"), retold.members(), "told again as they left it, not with dave");
    group.tell(new ConversationActor.MembershipHeld("bob", leftWith.fingerprint()));
    conversations.awaitProcessed(group);
    received(conversations.harness.userProbe("bob"), Duration.ofMillis(0));
    conversations.harness.clock.advance(Duration.ofSeconds(60)); // any retry would be due
    assertTrue(received(conversations.harness.userProbe("bob"), Duration.ofMillis(600)).stream()
        .noneMatch(told -> told instanceof UserActor.ConversationChanged), "once held, not told again");
  }
}
