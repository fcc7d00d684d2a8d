package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.EventBatches;
import io.parley.cluster.Outcome;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/** Hand-offs to the members' user entities ({@link MemberHandoffs}): sent again, backing off, until confirmed. */
class ConversationHandOffTest extends ConversationFixture {
  @Test
  void messagesAreHandedToEveryMemberAndResentUntilConfirmed() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    var deliver = (UserActor.Deliver) harness.userProbe("bob").receiveMessage();
    assertEquals(1, deliver.messages().size());
    assertEquals("content of c1", deliver.messages().get(0).content());
    assertEquals(0, deliver.since());
    harness.userProbe("alice").expectMessageClass(UserActor.Deliver.class);

    // Alice's UserActor confirms; bob's does not: only bob's is re-sent, read back from the journal.
    conversation.tell(new ConversationActor.HandedOff("alice", 1, 0));
    awaitProcessed(conversation);
    harness.clock.advance(Duration.ofSeconds(1));
    var resent = (UserActor.Deliver) harness.userProbe("bob").receiveMessage(Duration.ofSeconds(5));
    assertEquals(deliver.messages(), resent.messages());
    harness.userProbe("alice").expectNoMessage(Duration.ofMillis(300));

    reportHandedOff(conversation, "bob", 1);
    harness.clock.advance(Duration.ofSeconds(1));
    harness.userProbe("bob").expectNoMessage(Duration.ofMillis(400));
  }

  @Test
  void aMemberReportingLessThanItConfirmedGetsTheRestAgain() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    send(conversation, "alice", "c2");
    for (String member : List.of("alice", "bob")) {
      harness.userProbe(member).expectMessageClass(UserActor.Deliver.class);
      harness.userProbe(member).expectMessageClass(UserActor.Deliver.class);
    }
    conversation.tell(new ConversationActor.HandedOff("alice", 2, 0));
    reportHandedOff(conversation, "bob", 2);
    harness.clock.advance(Duration.ofMillis(150));
    harness.userProbe("bob").expectNoMessage(Duration.ofMillis(300));

    // Bob's UserActor answers a hand-off with "stored through 1": it lost seq 2 after confirming it.
    reportHandedOff(conversation, "bob", 1);
    harness.clock.advance(Duration.ofMillis(150));
    var resent = (UserActor.Deliver) harness.userProbe("bob").receiveMessage(Duration.ofSeconds(5));
    assertEquals(List.of(2L), resent.messages().stream().map(ChatMessage::seq).toList());
    harness.userProbe("alice").expectNoMessage(Duration.ofMillis(300));

    reportHandedOff(conversation, "bob", 2);
    harness.clock.advance(Duration.ofSeconds(1));
    harness.userProbe("bob").expectNoMessage(Duration.ofMillis(400));
  }

  @Test
  void retriesToAMemberThatDoesNotConfirmBackOff() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    harness.userProbe("bob").expectMessageClass(UserActor.Deliver.class);
    conversation.tell(new ConversationActor.HandedOff("alice", 1, 0));
    awaitProcessed(conversation);
    // Retry interval 100 ms: the first retry is due 100 ms after the hand-off, the next 200 ms
    // after that one, then 400 ms.
    harness.clock.advance(Duration.ofMillis(150));
    harness.userProbe("bob").expectMessageClass(UserActor.Deliver.class, Duration.ofSeconds(5));
    harness.clock.advance(Duration.ofMillis(150));
    harness.userProbe("bob").expectNoMessage(Duration.ofMillis(400));
    harness.clock.advance(Duration.ofMillis(100));
    harness.userProbe("bob").expectMessageClass(UserActor.Deliver.class, Duration.ofSeconds(5));
    harness.clock.advance(Duration.ofMillis(300));
    harness.userProbe("bob").expectNoMessage(Duration.ofMillis(400));
    // A confirmation resets it: once bob falls behind again, the retry comes after 100 ms.
    conversation.tell(new ConversationActor.HandedOff("bob", 1, 0));
    send(conversation, "alice", "c2");
    harness.userProbe("bob").expectMessageClass(UserActor.Deliver.class);
    harness.clock.advance(Duration.ofMillis(150));
    harness.userProbe("bob").expectMessageClass(UserActor.Deliver.class, Duration.ofSeconds(5));
  }

  @Test
  void afterARestartUnconfirmedHandOffsAreResent() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    send(conversation, "alice", "c2");
    conversation.tell(new ConversationActor.HandedOff("alice", 2, 0));
    harness.clock.advance(Duration.ofSeconds(1));
    // Wait until alice's confirmation is persisted (the tick writes it).
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertTrue(journal.persistedInStorage(ConversationActor.persistenceId("d:alice:bob").id()).stream()
          .flatMap(e -> EventBatches.unbatched(e).stream())
          .anyMatch(e -> e instanceof ConversationActor.HandoffsConfirmed));
      return null;
    });
    stopAndAwait(conversation);
    drain(harness.userProbe("bob"));
    drain(harness.userProbe("alice"));

    spawn("d:alice:bob");
    harness.clock.advance(Duration.ofSeconds(1));
    var resent = (UserActor.Deliver) harness.userProbe("bob").receiveMessage(Duration.ofSeconds(5));
    assertEquals(List.of(1L, 2L), resent.messages().stream().map(ChatMessage::seq).toList());
    harness.userProbe("alice").expectNoMessage(Duration.ofMillis(400));
  }

  /**
   * A member whose user entity reported less than it had confirmed, and who then left, is owed
   * nothing more: the conversation, once idle, goes to sleep rather than staying awake for her.
   */
  @Test
  void aMemberReportedBehindWhoLeavesNoLongerKeepsTheConversationAwake() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    TestProbe<Outcome<ConversationInfo>> created = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Create("alice", "Climbing", List.of("bob", "carol"), created.ref()));
    long fingerprint = created.receiveMessage().value().fingerprint();
    for (String member : List.of("alice", "bob", "carol")) {
      next(member, UserActor.ConversationChanged.class);
      conversation.tell(new ConversationActor.MembershipHeld(member, fingerprint));
    }
    send(conversation, "alice", "m1");
    for (String member : List.of("alice", "bob", "carol")) {
      next(member, UserActor.Deliver.class);
      conversation.tell(new ConversationActor.HandedOff(member, 1, fingerprint));
    }
    reportHandedOff(conversation, "carol", 0); // her entity lost m1 after confirming it

    TestProbe<Outcome<Done>> left = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Leave("carol", left.ref()));
    assertTrue(left.receiveMessage().isOk());
    for (String member : List.of("alice", "bob", "carol")) {
      var changed = next(member, UserActor.ConversationChanged.class);
      conversation.tell(new ConversationActor.MembershipHeld(member, changed.info().fingerprint()));
    }
    awaitProcessed(conversation);
    harness.clock.advance(settings.passivateAfterIdle());
    shard.expectMessageClass(ClusterSharding.Passivate.class, Duration.ofSeconds(5));
  }

  /**
   * A member whose inbox dropped the conversation reports holding no membership; the next
   * hand-off brings the member list, and with it how far the member read and how many messages
   * of others after that it does not carry, so that the inbox taking it back counts them. The
   * member's own messages, and deleted ones, are not counted.
   */
  @Test
  void aHandOffWithTheMemberListSaysWhatTheMemberHadNotReadBeforeIt() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    send(conversation, "bob", "c2");
    send(conversation, "alice", "c3");
    send(conversation, "alice", "c4");
    send(conversation, "alice", "c5");
    assertTrue(this.<Done>ask(conversation, replyTo -> new ConversationActor.Delete("alice", 5, replyTo)).isOk());
    assertTrue(this.<Done>ask(conversation, replyTo -> new ConversationActor.MarkRead("bob", 1, replyTo)).isOk());
    harness.userProbe("alice").fishForMessage(Duration.ofSeconds(5), m -> m instanceof UserActor.DeliverReceipt
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore()); // bob's read is stored
    conversation.tell(new ConversationActor.HandedOff("bob", 5, Long.MIN_VALUE)); // no membership held
    awaitProcessed(conversation);
    drain(harness.userProbe("bob"));

    send(conversation, "alice", "c6");
    var deliver = (UserActor.Deliver) harness.userProbe("bob").fishForMessage(Duration.ofSeconds(5), m ->
        m instanceof UserActor.Deliver d && d.messages().stream().anyMatch(c -> c.seq() == 6)
            ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore()).get(0);
    assertEquals(List.of("alice", "bob"), deliver.info().members());
    assertEquals(1, deliver.readThrough());
    assertEquals(2, deliver.unreadBefore(), "c3 and c4; c2 is bob's, c5 deleted");
  }
}
