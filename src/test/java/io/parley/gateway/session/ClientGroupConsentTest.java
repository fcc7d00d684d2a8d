package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.user.GroupAddPolicy;
import io.parley.user.GroupConsent;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * Group consent written in a user's entity (who may add them, their quota, an invite they received
 * or answered): a write the entity could not store is told to the client as unavailable, safe to
 * retry. An entity on a node of an earlier version (a rolling update) answers the bare value, which
 * still answers.
 */
class ClientGroupConsentTest extends ClientFramesFixture {
  static final String GROUP = "g.climbing";
  static final long DAY = 20_000;
  /** A refused give-back is sent again 1 s after the refusal, each next re-send waiting twice as long. */
  static final Duration FIRST_RESEND = Duration.ofSeconds(1);
  /** Past every point a re-send would be due: six of them, 1 + 2 + ... + 32 s. */
  static final Duration EVERY_RESEND = Duration.ofSeconds(63);
  /** The ask's timeout, as the fixture sets it. */
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
  /** Real time for a message already sent to reach its probe. */
  static final Duration DELIVERED = Duration.ofMillis(200);
  static final Outcome<Object> REFUSED = Outcome.rejected(Outcome.Reason.UNAVAILABLE, "could not store it now; retry");

  /** On ManualTime: the give-back's timeout and re-sends are due as the test moves the clock. */
  @Override
  String config() {
    return ManualTime.config().root().render();
  }

  @Test
  void aChoiceOfWhoMayAddThatCouldNotBeStoredIsToldUnavailable() {
    CompletionStage<Optional<String>> answer = setGroupAdds("s1");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(1, 0));
    var choice = bob.expectMessageClass(GroupConsent.ChooseGroupAdds.class);
    assertTrue(choice.readsOutcome());
    replyTo(choice.replyTo()).tell(REFUSED);
    assertError(answer, "s1", "unavailable");

    answer = setGroupAdds("s2");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(1, 0));
    replyTo(bob.expectMessageClass(GroupConsent.ChooseGroupAdds.class).replyTo())
        .tell(new GroupConsent.GroupAddsChoice(GroupAddPolicy.NOBODY));
    assertEquals("nobody", json(answer).get("group_adds").asText(), "an earlier version's bare choice");
  }

  /**
   * A choice of who may add the user is stored, so it counts as a group change for the rate limit:
   * before, settings.set was never limited, and a client switching between two choices stored an
   * event each time, as fast as it sent them. Asking (settings.get) stores nothing and is not counted.
   */
  @Test
  void aChoiceOfWhoMayAddCountsAsAGroupChangeAndAskingDoesNot() {
    CompletionStage<Optional<String>> answer = setGroupAdds("s3");
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    assertEquals(io.parley.user.AllowanceKind.GROUP_CHANGES, lease.kind());
    lease.replyTo().tell(new UserActor.AllowanceLease(0, 1500));
    JsonNode refused = json(answer);
    assertEquals("rate_limited", refused.get("code").asText(), refused.toString());
    bob.expectNoMessage(DELIVERED); // nothing asked of his entity, so nothing stored

    answer = frames.handle("{\"type\": \"settings.get\", \"req_id\": \"s4\"}");
    var ask = bob.expectMessageClass(GroupConsent.ChooseGroupAdds.class);
    assertEquals(null, ask.policy());
    replyTo(ask.replyTo()).tell(Outcome.ok(new GroupConsent.GroupAddsChoice(GroupAddPolicy.CONTACTS)));
    assertEquals("contacts", json(answer).get("group_adds").asText());
  }

  @Test
  void anAdditionWhoseQuotaCouldNotBeStoredIsToldUnavailable() {
    CompletionStage<Optional<String>> answer = addCarol("a1");
    var spend = bob.expectMessageClass(GroupConsent.SpendGroupQuota.class);
    assertTrue(spend.readsOutcome());
    replyTo(spend.replyTo()).tell(REFUSED);
    assertError(answer, "a1", "unavailable");
  }

  @Test
  void anAdditionWhoseInviteCouldNotBeStoredIsToldUnavailable() {
    TestProbe<UserActor.Command> carol = harness.userProbe("carol");
    CompletionStage<Optional<String>> answer = addCarol("a1");
    // An earlier version's bare quota answer, then carol's entity refuses the invite's write.
    replyTo(bob.expectMessageClass(GroupConsent.SpendGroupQuota.class).replyTo())
        .tell(new GroupConsent.QuotaAnswer(true, 0, null, 0));
    var invite = carolIsInvited(carol);
    assertTrue(invite.readsOutcome());
    replyTo(invite.replyTo()).tell(REFUSED);
    assertError(answer, "a1", "unavailable");

    answer = addCarol("a2");
    bob.expectMessageClass(GroupConsent.SpendGroupQuota.class).replyTo()
        .tell(Outcome.ok(new GroupConsent.QuotaAnswer(true, 0, null, 0)));
    replyTo(carolIsInvited(carol).replyTo()).tell(Done.INSTANCE);
    assertEquals("carol", json(answer).get("invited").get(0).asText(), "an earlier version's bare Done");
  }

  /**
   * The group refuses the change, so bob's quota is given back: refused by his entity's journal,
   * so not stored, it is sent again a moment later and stored once.
   */
  @Test
  void aQuotaGivenBackThatCouldNotBeStoredIsSentAgainUntilStoredOnce() {
    assertError(carolCannotBeAdded("a1"), "a1", "unavailable");
    var giveBack = quotaGivenBack();
    replyTo(giveBack.replyTo()).tell(REFUSED);

    var again = whenTimePasses(FIRST_RESEND, GroupConsent.SpendGroupQuota.class);
    assertGivesBackCarol(again);
    again.replyTo().tell(Outcome.ok(new GroupConsent.QuotaAnswer(true, DAY, null, 0)));
    time().timePasses(EVERY_RESEND);
    bob.expectNoMessage(DELIVERED);
  }

  /**
   * A give-back with no answer may have been stored, so it is not sent again: giving it back twice
   * would grant more than the day's quota. An entity of an earlier version (a rolling update)
   * answers a give-back nothing, and it is done with the same way.
   */
  @Test
  void aQuotaGivenBackThatGetsNoAnswerIsNotSentAgain() {
    assertError(carolCannotBeAdded("a1"), "a1", "unavailable");
    quotaGivenBack();
    // The ask times out, then every point a re-send would be due passes.
    time().timePasses(ASK_TIMEOUT.plus(EVERY_RESEND));
    bob.expectNoMessage(DELIVERED);
  }

  @Test
  void aDeclineThatCouldNotBeStoredIsToldUnavailable() {
    CompletionStage<Optional<String>> answer = frames.handle(
        "{\"type\": \"conversation.decline_invite\", \"req_id\": \"d1\", \"conversation_id\": \"" + GROUP + "\"}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(1, 0));
    var find = bob.expectMessageClass(GroupConsent.FindInvite.class);
    assertTrue(find.drop());
    replyTo(find.replyTo()).tell(REFUSED);
    assertError(answer, "d1", "unavailable");
  }

  private CompletionStage<Optional<String>> setGroupAdds(String reqId) {
    return frames.handle("{\"type\": \"settings.set\", \"req_id\": \"" + reqId + "\", \"group_adds\": \"nobody\"}");
  }

  /** Bob adds carol to the group; his allowance and the group's check of him are granted. */
  private CompletionStage<Optional<String>> addCarol(String reqId) {
    CompletionStage<Optional<String>> answer = frames.handle("{\"type\": \"conversation.add_members\", \"req_id\": \""
        + reqId + "\", \"conversation_id\": \"" + GROUP + "\", \"members\": [\"carol\"]}");
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    lease.replyTo().tell(new UserActor.AllowanceLease(1, 0));
    var mayAdd = harness.conversationProbe(GROUP).expectMessageClass(ConversationActor.AddMembers.class);
    assertEquals(List.of(), mayAdd.members());
    mayAdd.replyTo().tell(Outcome.ok(Done.INSTANCE));
    return answer;
  }

  /** Bob's quota is granted for carol, who may be added directly, and the group then refuses her. */
  private CompletionStage<Optional<String>> carolCannotBeAdded(String reqId) {
    TestProbe<UserActor.Command> carol = harness.userProbe("carol");
    CompletionStage<Optional<String>> answer = addCarol(reqId);
    bob.expectMessageClass(GroupConsent.SpendGroupQuota.class).replyTo()
        .tell(Outcome.ok(new GroupConsent.QuotaAnswer(true, DAY, null, 0)));
    carol.expectMessageClass(GroupConsent.MayAdd.class).replyTo().tell(new GroupConsent.AddAnswer(true));
    var change = harness.conversationProbe(GROUP).expectMessageClass(ConversationActor.AddMembers.class);
    assertEquals(List.of("carol"), change.members());
    change.replyTo().tell(Outcome.rejected(Outcome.Reason.UNAVAILABLE, "the group could not store it now; retry"));
    return answer;
  }

  /** What bob spent on carol, given back to his entity, which is asked to say whether it stored it. */
  private GroupConsent.SpendGroupQuota quotaGivenBack() {
    var giveBack = bob.expectMessageClass(GroupConsent.SpendGroupQuota.class);
    assertGivesBackCarol(giveBack);
    return giveBack;
  }

  private static void assertGivesBackCarol(GroupConsent.SpendGroupQuota giveBack) {
    assertEquals(0, giveBack.groups(), giveBack.toString());
    assertEquals(-1, giveBack.members(), giveBack.toString());
    assertEquals(DAY, giveBack.day(), "what was spent on the day the quota was granted");
    assertNotNull(giveBack.replyTo(), "asked");
    assertTrue(giveBack.readsOutcome());
  }

  /** Carol may not be added directly: the group changes without her, and she is invited. */
  private GroupConsent.ReceiveInvite carolIsInvited(TestProbe<UserActor.Command> carol) {
    carol.expectMessageClass(GroupConsent.MayAdd.class).replyTo().tell(new GroupConsent.AddAnswer(false));
    TestProbe<ConversationActor.Command> group = harness.conversationProbe(GROUP);
    group.expectMessageClass(ConversationActor.AddMembers.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    group.expectMessageClass(ConversationActor.GetInfo.class).replyTo()
        .tell(Outcome.ok(new ConversationInfo(GROUP, "Climbing", List.of("bob"), 0)));
    return carol.expectMessageClass(GroupConsent.ReceiveInvite.class);
  }

  /**
   * Moves the clock by {@code step} until bob's entity is told a {@code type}: the re-send's timer
   * is set once the refusal is handled, a moment after the test told it, so one move may come first.
   * At most one re-send is pending at a time, so the extra moves send nothing more.
   */
  private <T extends UserActor.Command> T whenTimePasses(Duration step, Class<T> type) {
    return bob.awaitAssert(Duration.ofSeconds(3), () -> {
      time().timePasses(step);
      return bob.expectMessageClass(type, DELIVERED);
    });
  }

  private ManualTime time() {
    return ManualTime.get(harness.testKit.system());
  }

  /** The asker's reference, for any answer: this version's Outcome or an earlier version's bare value. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static ActorRef<Object> replyTo(ActorRef<?> replyTo) {
    return (ActorRef) replyTo;
  }
}
