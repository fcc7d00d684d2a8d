package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * A consent write of bob's entity ({@link GroupConsent}) that the journal refuses: its asker is told
 * unavailable at once, rather than left to the gateway's ask timeout; nothing of it is stored or
 * kept, and its retry is stored once.
 */
class GroupConsentWriteFailureTest extends UserWriteFailureFixture {
  /** Well under the gateway's ask timeout (5 s), which is all an unanswered asker would get. */
  static final Duration AT_ONCE = Duration.ofSeconds(2);
  static final GroupConsent.Invite INVITE = new GroupConsent.Invite("g.climbing", "Climbing", "mallory", 1);
  @Test
  void aReceivedInviteWhoseWriteIsRefusedIsToldUnavailableAtOnceAndItsRetryIsStoredOnce() {
    ActorRef<UserActor.Command> bob = spawnBob();
    refuseNextWrite();
    assertToldUnavailable(this.<Done>askOnce(bob, replyTo -> new GroupConsent.ReceiveInvite(INVITE, replyTo)));
    assertEquals(0, stored(GroupConsent.InviteReceived.class));

    assertEquals(Outcome.ok(Done.INSTANCE),
        this.<Done>askOnce(bob, replyTo -> new GroupConsent.ReceiveInvite(INVITE, replyTo)).receiveMessage(RESTARTED));
    assertEquals(List.of(INVITE), this.<GroupConsent.Invites>ask(bob, GroupConsent.GetInvites::new).invites());
    assertEquals(1, stored(GroupConsent.InviteReceived.class), "the invite stored once");
  }

  @Test
  void aChoiceOfWhoMayAddWhoseWriteIsRefusedIsToldUnavailableAtOnceAndItsRetryIsStoredOnce() {
    ActorRef<UserActor.Command> bob = spawnBob();
    refuseNextWrite();
    assertToldUnavailable(choose(bob, GroupAddPolicy.NOBODY));
    assertEquals(0, stored(GroupConsent.GroupAddsChosen.class));
    assertEquals(GroupAddPolicy.CONTACTS, choose(bob, null).receiveMessage(RESTARTED).value().policy(),
        "the refused choice is not in force");

    assertEquals(GroupAddPolicy.NOBODY, choose(bob, GroupAddPolicy.NOBODY).receiveMessage(RESTARTED).value().policy());
    assertEquals(GroupAddPolicy.NOBODY, choose(bob, null).receiveMessage(RESTARTED).value().policy());
    assertEquals(1, stored(GroupConsent.GroupAddsChosen.class), "the choice stored once");
  }

  @Test
  void aQuotaSpentWhoseWriteIsRefusedIsToldUnavailableAtOnceAndSpendsNothing() {
    ActorRef<UserActor.Command> bob = spawnBob();
    refuseNextWrite();
    // The whole day's quota (1 group, 5 members here).
    assertToldUnavailable(spend(bob, 1, 5));
    assertEquals(0, stored(GroupConsent.GroupQuotaSpent.class));

    assertTrue(spend(bob, 1, 5).receiveMessage(RESTARTED).value().granted(), "the refused spend spent nothing");
    assertFalse(spend(bob, 0, 1).receiveMessage(RESTARTED).value().granted(), "the retry spent the day's quota");
    assertEquals(1, stored(GroupConsent.GroupQuotaSpent.class), "the quota spent once");
  }

  @Test
  void aQuotaGivenBackWhoseWriteIsRefusedIsToldUnavailableAtOnceAndItsRetryGivesItBackOnce() {
    ActorRef<UserActor.Command> bob = spawnBob();
    long today = spend(bob, 1, 5).receiveMessage(RESTARTED).value().day();
    refuseNextWrite();
    assertToldUnavailable(giveBack(bob, today));
    assertEquals(1, stored(GroupConsent.GroupQuotaSpent.class), "only the spend stored");
    assertFalse(spend(bob, 0, 1).receiveMessage(RESTARTED).value().granted(), "the refused give-back gave nothing");

    assertEquals(Outcome.ok(new GroupConsent.QuotaAnswer(true, today, null, 0)),
        giveBack(bob, today).receiveMessage(RESTARTED));
    assertEquals(2, stored(GroupConsent.GroupQuotaSpent.class), "the give-back stored once");
    assertTrue(spend(bob, 1, 5).receiveMessage(RESTARTED).value().granted(), "the day's quota given back");
  }

  @Test
  void anInviteAnswerWhoseWriteIsRefusedIsToldUnavailableAtOnceAndTheInviteStays() {
    ActorRef<UserActor.Command> bob = spawnBob();
    assertTrue(this.<Done>askOnce(bob, replyTo -> new GroupConsent.ReceiveInvite(INVITE, replyTo))
        .receiveMessage(RESTARTED).isOk());
    refuseNextWrite();
    assertToldUnavailable(findAndDrop(bob));
    assertEquals(List.of(INVITE), this.<GroupConsent.Invites>ask(bob, GroupConsent.GetInvites::new).invites(),
        "not answered");

    assertEquals(Outcome.ok(INVITE), findAndDrop(bob).receiveMessage(RESTARTED));
    assertEquals(List.of(), this.<GroupConsent.Invites>ask(bob, GroupConsent.GetInvites::new).invites());
    assertEquals(1, stored(GroupConsent.InviteAnswered.class), "the answer stored once");
  }

  private TestProbe<Outcome<GroupConsent.Invite>> findAndDrop(ActorRef<UserActor.Command> bob) {
    return askOnce(bob, replyTo -> new GroupConsent.FindInvite(INVITE.conversationId(), true, replyTo));
  }

  /** Time for an entity whose write was refused to restart (backing off) and answer. */
  static final Duration RESTARTED = Duration.ofSeconds(10);

  private static <T> void assertToldUnavailable(TestProbe<Outcome<T>> replies) {
    Outcome<T> told = replies.receiveMessage(AT_ONCE);
    assertEquals(Outcome.Reason.UNAVAILABLE, told.reason(), told.toString());
  }

  private TestProbe<Outcome<GroupConsent.GroupAddsChoice>> choose(ActorRef<UserActor.Command> bob, GroupAddPolicy policy) {
    return askOnce(bob, replyTo -> new GroupConsent.ChooseGroupAdds(policy, GroupAddPolicy.CONTACTS, replyTo));
  }

  private TestProbe<Outcome<GroupConsent.QuotaAnswer>> spend(ActorRef<UserActor.Command> bob, int groups, int members) {
    return askOnce(bob, replyTo -> new GroupConsent.SpendGroupQuota(groups, members, 1, 5, 0, replyTo));
  }

  /** Gives back the whole day's quota spent by {@link #spend}. */
  private TestProbe<Outcome<GroupConsent.QuotaAnswer>> giveBack(ActorRef<UserActor.Command> bob, long day) {
    return askOnce(bob, replyTo -> new GroupConsent.SpendGroupQuota(-1, -5, 1, 5, day, replyTo));
  }

  /** The probe the answer comes to. */
  private <T> TestProbe<Outcome<T>> askOnce(ActorRef<UserActor.Command> user,
      Function<ActorRef<Outcome<T>>, UserActor.Command> command) {
    TestProbe<Outcome<T>> probe = harness.testKit.createTestProbe();
    user.tell(command.apply(probe.ref()));
    return probe;
  }

  private <T> T ask(ActorRef<UserActor.Command> user, Function<ActorRef<T>, UserActor.Command> command) {
    TestProbe<T> probe = harness.testKit.createTestProbe();
    user.tell(command.apply(probe.ref()));
    return probe.receiveMessage(RESTARTED);
  }
}
