package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/** Membership ({@link Membership}, {@link MembershipNotices}): groups made and joined, member lists sent. */
class ConversationMembershipTest extends ConversationFixture {
  @Test
  void groupsAreCreatedWithTheCreatorAndAnnouncedToEveryMember() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    TestProbe<Outcome<ConversationInfo>> reply = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Create("alice", "Climbing", List.of("bob", "carol", "bob"), reply.ref()));
    ConversationInfo info = reply.receiveMessage().value();
    assertEquals(List.of("alice", "bob", "carol"), info.members());
    assertEquals("Climbing", info.title());
    for (String member : info.members()) {
      var changed = (UserActor.ConversationChanged) harness.userProbe(member).receiveMessage();
      assertEquals(info.members(), changed.info().members());
    }

    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.AddMembers("dave", List.of("eve"), done.ref()));
    assertEquals(Outcome.Reason.NOT_MEMBER, done.receiveMessage().reason());
    send(conversation, "alice", "before-dave");
    conversation.tell(new ConversationActor.AddMembers("alice", List.of("dave"), done.ref())); // the owner
    assertTrue(done.receiveMessage().isOk());
    send(conversation, "alice", "after-dave");
    var toDave = harness.userProbe("dave").receiveSeveralMessages(2, Duration.ofSeconds(5));
    var deliver = (UserActor.Deliver) toDave.stream().filter(m -> m instanceof UserActor.Deliver).findFirst().orElseThrow();
    assertEquals(1, deliver.since(), "dave's messages start after the one before he joined");
    assertEquals(List.of(2L), deliver.messages().stream().map(ChatMessage::seq).toList());

    conversation.tell(new ConversationActor.Leave("carol", done.ref()));
    assertTrue(done.receiveMessage().isOk());
    assertEquals(Outcome.Reason.NOT_MEMBER, send(conversation, "carol", "gone").reason());
    conversation.tell(new ConversationActor.Leave("alice", done.ref()));
    assertTrue(done.receiveMessage().isOk());
    assertFalse(send(conversation, "alice", "x").isOk());
  }

  /**
   * The last member of a group may leave it: the event's handler threw as it handed the group on
   * to no one, so the leave was never stored and the member was answered nothing.
   */
  @Test
  void theLastMemberOfAGroupMayLeaveIt() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    TestProbe<Outcome<ConversationInfo>> created = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Create("alice", "Notes", List.of(), created.ref()));
    assertTrue(created.receiveMessage().isOk());
    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Leave("alice", done.ref()));
    assertTrue(done.receiveMessage().isOk());
    assertTrue(stored(group, ConversationActor.MemberLeft.class));
    stopAndAwait(conversation);
    assertEquals(Outcome.Reason.NOT_MEMBER, send(spawn(group), "alice", "back?").reason());
  }

  @Test
  void aHandOffCarriesTheMemberListOnlyToAMemberNotKnownToHoldIt() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    TestProbe<Outcome<ConversationInfo>> reply = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Create("alice", "Climbing", List.of("bob", "carol"), reply.ref()));
    long created = reply.receiveMessage().value().fingerprint();
    // Alice's and bob's user entities store the new group and say so; carol's notice is lost.
    for (String member : List.of("alice", "bob")) {
      assertEquals(created, next(member, UserActor.ConversationChanged.class).info().fingerprint());
      conversation.tell(new ConversationActor.MembershipHeld(member, created));
    }
    next("carol", UserActor.ConversationChanged.class);
    send(conversation, "alice", "m1");
    var toBob = next("bob", UserActor.Deliver.class);
    assertEquals(null, toBob.info(), "bob holds the membership: ids only");
    assertEquals(created, toBob.fingerprint());
    assertEquals(group, toBob.conversationId());
    assertEquals(List.of("alice", "bob", "carol"), next("carol", UserActor.Deliver.class).info().members());
    // Carol's notice is told again until her user entity holds it.
    harness.clock.advance(Duration.ofMillis(150));
    assertEquals(created, next("carol", UserActor.ConversationChanged.class).info().fingerprint());
    conversation.tell(new ConversationActor.MembershipHeld("carol", created));
    conversation.tell(new ConversationActor.HandedOff("carol", 1, created));
    reportHandedOff(conversation, "bob", 1);
    conversation.tell(new ConversationActor.HandedOff("alice", 1, created));
    awaitProcessed(conversation);
    drain(harness.userProbe("carol")); // a re-send of m1 read before she confirmed
    harness.clock.advance(Duration.ofSeconds(1));
    harness.userProbe("carol").expectNoMessage(Duration.ofMillis(300));

    // Dave joins; the notice to bob is lost. Bob's next hand-off carries the new list.
    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.AddMembers("alice", List.of("dave"), done.ref()));
    assertTrue(done.receiveMessage().isOk());
    long joined = next("alice", UserActor.ConversationChanged.class).info().fingerprint();
    conversation.tell(new ConversationActor.MembershipHeld("alice", joined));
    next("bob", UserActor.ConversationChanged.class);
    send(conversation, "alice", "m2");
    assertEquals(null, next("alice", UserActor.Deliver.class).info());
    var withList = next("bob", UserActor.Deliver.class);
    assertEquals(List.of("alice", "bob", "carol", "dave"), withList.info().members());
    assertEquals(joined, withList.fingerprint());

    // A member whose user entity lost the membership it was taken to hold (its inbox dropped the
    // entry) refuses a hand-off without the list and reports what it holds: it gets it again, with the list.
    conversation.tell(new ConversationActor.HandedOff("bob", 2, joined));
    awaitProcessed(conversation);
    send(conversation, "alice", "m3");
    assertEquals(null, next("bob", UserActor.Deliver.class).info());
    conversation.tell(new ConversationActor.HandedOff("bob", 2, Long.MIN_VALUE));
    awaitProcessed(conversation);
    harness.clock.advance(Duration.ofMillis(150));
    var again = next("bob", UserActor.Deliver.class);
    assertEquals(List.of(3L), again.messages().stream().map(ChatMessage::seq).toList());
    assertEquals(List.of("alice", "bob", "carol", "dave"), again.info().members());
  }

  /**
   * A member added after the last message is told nothing of it: their new inbox entry took that
   * message's time as its last_message_ts, when the group had last been active before they came.
   */
  @Test
  void aMemberAddedAfterTheLastMessageIsNotToldItsTime() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    TestProbe<Outcome<ConversationInfo>> created = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Create("alice", "Climbing", List.of("bob"), created.ref()));
    assertTrue(created.receiveMessage().isOk());
    long sentAt = send(conversation, "alice", "before-dave").value().serverTs();
    harness.clock.advance(Duration.ofMinutes(5));
    drain(harness.userProbe("bob"));
    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.AddMembers("alice", List.of("dave"), done.ref()));
    assertTrue(done.receiveMessage().isOk());
    assertEquals(0, next("dave", UserActor.ConversationChanged.class).lastMessageTs(),
        "no message of the group is dave's yet: his entry takes its place from now");
    assertEquals(sentAt, next("bob", UserActor.ConversationChanged.class).lastMessageTs(), "bob's is his");
  }
}
