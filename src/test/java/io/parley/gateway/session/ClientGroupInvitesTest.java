package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.user.DeviceEvent;
import io.parley.user.GroupConsent;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * {@code conversation.add_members} naming someone who may not be added directly: a user already in
 * the group is no one to invite (the addition changes nothing for them, and they are named in
 * {@code added}); anyone else is invited.
 */
class ClientGroupInvitesTest extends ClientFramesFixture {
  static final String GROUP = "g.climbing";

  TestProbe<UserActor.Command> carol;
  TestProbe<ConversationActor.Command> group;

  /** Bob adds carol, who lets nobody add her directly, and the group changes without her. */
  private CompletionStage<Optional<String>> addCarolWhoLetsNobodyAdd() {
    carol = harness.userProbe("carol");
    group = harness.conversationProbe(GROUP);
    CompletionStage<Optional<String>> answer = frames.handle("{\"type\": \"conversation.add_members\", \"req_id\": "
        + "\"a1\", \"conversation_id\": \"" + GROUP + "\", \"members\": [\"carol\"]}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(1, 0));
    group.expectMessageClass(ConversationActor.AddMembers.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    bob.expectMessageClass(GroupConsent.SpendGroupQuota.class).replyTo()
        .tell(Outcome.ok(new GroupConsent.QuotaAnswer(true, 0, null, 0)));
    carol.expectMessageClass(GroupConsent.MayAdd.class).replyTo().tell(new GroupConsent.AddAnswer(false));
    var change = group.expectMessageClass(ConversationActor.AddMembers.class);
    assertEquals(List.of(), change.members(), "carol is not added directly");
    change.replyTo().tell(Outcome.ok(Done.INSTANCE));
    return answer;
  }

  @Test
  void aMemberAlreadyInTheGroupIsNotInvitedToItAgain() {
    CompletionStage<Optional<String>> answer = addCarolWhoLetsNobodyAdd();
    group.expectMessageClass(ConversationActor.GetInfo.class).replyTo()
        .tell(Outcome.ok(new ConversationInfo(GROUP, "Climbing", List.of("bob", "carol"), 3)));
    JsonNode added = json(answer);
    assertEquals("conversation.members_added", added.get("type").asText(), added.toString());
    assertEquals("[\"carol\"]", added.get("added").toString(), "she is a member once the answer comes");
    assertEquals("[]", added.get("invited").toString());
    carol.expectNoMessage(Duration.ofMillis(300)); // no invite stored for her
  }

  @Test
  void aMemberAlreadyInALargeGroupIsNotInvitedToItAgain() {
    CompletionStage<Optional<String>> answer = addCarolWhoLetsNobodyAdd();
    var info = group.expectMessageClass(ConversationActor.GetInfo.class);
    assertEquals("bob", info.userId());
    info.replyTo().tell(Outcome.ok(new ConversationInfo(GROUP, "Climbing", List.of(), 3, null, 1000)));
    var isCarolIn = group.expectMessageClass(ConversationActor.GetInfo.class);
    assertEquals("carol", isCarolIn.userId(), "a large group lists no members: carol's membership is checked");
    isCarolIn.replyTo().tell(Outcome.ok(new ConversationInfo(GROUP, "Climbing", List.of(), 3, null, 1000)));
    assertEquals("[]", json(answer).get("invited").toString());
    carol.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void someoneNotInTheGroupIsInvited() {
    CompletionStage<Optional<String>> answer = addCarolWhoLetsNobodyAdd();
    group.expectMessageClass(ConversationActor.GetInfo.class).replyTo()
        .tell(Outcome.ok(new ConversationInfo(GROUP, "Climbing", List.of("bob"), 3)));
    carol.expectMessageClass(GroupConsent.ReceiveInvite.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    JsonNode added = json(answer);
    assertEquals("[]", added.get("added").toString());
    assertEquals("[\"carol\"]", added.get("invited").toString());
  }

  static final GroupConsent.Invite INVITE = new GroupConsent.Invite(GROUP, "Climbing", "alice", 1);

  /**
   * Carol, invited earlier, now lets bob add her, and he does: she is a member, so her invite to
   * the group goes and her devices, which show it, are told it no longer holds. Before, it stayed:
   * listed by invites.get and shown at every connect for a group she was in already.
   */
  @Test
  void addingSomeoneDirectlyDropsTheirInviteToTheGroup() {
    carol = harness.userProbe("carol");
    group = harness.conversationProbe(GROUP);
    CompletionStage<Optional<String>> answer = frames.handle("{\"type\": \"conversation.add_members\", \"req_id\": "
        + "\"a2\", \"conversation_id\": \"" + GROUP + "\", \"members\": [\"carol\"]}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(1, 0));
    group.expectMessageClass(ConversationActor.AddMembers.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    bob.expectMessageClass(GroupConsent.SpendGroupQuota.class).replyTo()
        .tell(Outcome.ok(new GroupConsent.QuotaAnswer(true, 0, null, 0)));
    var asked = carol.expectMessageClass(GroupConsent.MayAdd.class);
    assertEquals(GROUP, asked.conversationId(), "asked whether she holds an invite to it");
    asked.replyTo().tell(new GroupConsent.AddAnswer(true, true));
    var change = group.expectMessageClass(ConversationActor.AddMembers.class);
    assertEquals(List.of("carol"), change.members());
    change.replyTo().tell(Outcome.ok(Done.INSTANCE));
    var drop = carol.expectMessageClass(GroupConsent.FindInvite.class);
    assertEquals(GROUP, drop.conversationId());
    assertEquals(true, drop.drop());
    drop.replyTo().tell(Outcome.ok(INVITE));
    assertEquals(new DeviceEvent.InviteRevoked(GROUP), carol.expectMessageClass(UserActor.Notify.class).event());
    JsonNode added = json(answer);
    assertEquals("[\"carol\"]", added.get("added").toString());
    assertEquals("[]", added.get("invited").toString());
  }

  /**
   * Carol, added directly, holds no invite to the group (her entity says so): she is not asked to
   * drop one. Before, every user added to a group was asked again after the addition, doubling
   * the asks of an addition of up to 1,000 users for the few who had an invite.
   */
  @Test
  void someoneAddedDirectlyWithoutAnInviteIsNotAskedToDropOne() {
    carol = harness.userProbe("carol");
    group = harness.conversationProbe(GROUP);
    CompletionStage<Optional<String>> answer = frames.handle("{\"type\": \"conversation.add_members\", \"req_id\": "
        + "\"a3\", \"conversation_id\": \"" + GROUP + "\", \"members\": [\"carol\"]}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(1, 0));
    group.expectMessageClass(ConversationActor.AddMembers.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    bob.expectMessageClass(GroupConsent.SpendGroupQuota.class).replyTo()
        .tell(Outcome.ok(new GroupConsent.QuotaAnswer(true, 0, null, 0)));
    carol.expectMessageClass(GroupConsent.MayAdd.class).replyTo().tell(new GroupConsent.AddAnswer(true, false));
    group.expectMessageClass(ConversationActor.AddMembers.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    assertEquals("[\"carol\"]", json(answer).get("added").toString());
    carol.expectNoMessage(Duration.ofMillis(300)); // the answer came after any drop would have been asked
  }

  /** Bob accepts his invite: his allowance is granted, and the invite is taken, not only looked at. */
  private CompletionStage<Optional<String>> bobAccepts() {
    group = harness.conversationProbe(GROUP);
    CompletionStage<Optional<String>> answer = frames.handle(
        "{\"type\": \"conversation.accept_invite\", \"req_id\": \"i1\", \"conversation_id\": \"" + GROUP + "\"}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(1, 0));
    var find = bob.expectMessageClass(GroupConsent.FindInvite.class);
    assertEquals(true, find.drop(), "an accept takes the invite first, so a decline meanwhile finds none");
    find.replyTo().tell(Outcome.ok(INVITE));
    return answer;
  }

  /**
   * An accept and a decline at once (two devices, or a change of mind): one of them answers, the
   * other finds no invite. Before, both could pass, the user joining the group after the decline
   * was answered {@code accepted: false}.
   */
  @Test
  void anAcceptTakesTheInviteBeforeJoiningSoADeclineMeanwhileFindsNone() {
    CompletionStage<Optional<String>> answer = bobAccepts();
    var join = group.expectMessageClass(ConversationActor.AddMembers.class);
    assertEquals("alice", join.requesterId());
    assertEquals(List.of("bob"), join.members());
    join.replyTo().tell(Outcome.ok(Done.INSTANCE));
    JsonNode answered = json(answer);
    assertEquals("conversation.invite_answered", answered.get("type").asText(), answered.toString());
    assertEquals(true, answered.get("accepted").asBoolean());
    assertEquals(new DeviceEvent.InviteAnswered(GROUP, true), bob.expectMessageClass(UserActor.Notify.class).event(),
        "his other devices are told the invite is answered");
    bob.expectNoMessage(Duration.ofMillis(300)); // nothing more of the invite
  }

  /**
   * A decline on one device reaches the user's other devices, which showed the invite: before,
   * they were told nothing and kept showing it until they reconnected.
   */
  @Test
  void aDeclineIsToldToEveryDeviceOfTheUser() {
    CompletionStage<Optional<String>> answer = frames.handle(
        "{\"type\": \"conversation.decline_invite\", \"req_id\": \"i2\", \"conversation_id\": \"" + GROUP + "\"}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(1, 0));
    bob.expectMessageClass(GroupConsent.FindInvite.class).replyTo().tell(Outcome.ok(INVITE));
    assertEquals(false, json(answer).get("accepted").asBoolean());
    var told = bob.expectMessageClass(UserActor.Notify.class);
    assertEquals(new DeviceEvent.InviteAnswered(GROUP, false), told.event());
    assertEquals("{\"type\":\"conversation.invite_answered\",\"conversation_id\":\"" + GROUP + "\",\"accepted\":false}",
        io.parley.gateway.WireFormat.render(io.parley.gateway.WireFormat.event(told.event(), 0)));
  }

  /** A group that cannot take him now (a retry may pass; a full group may have room later) keeps the invite. */
  @Test
  void anAcceptTheGroupCouldNotTakeGivesTheInviteBack() {
    CompletionStage<Optional<String>> answer = bobAccepts();
    group.expectMessageClass(ConversationActor.AddMembers.class).replyTo()
        .tell(Outcome.rejected(Outcome.Reason.UNAVAILABLE, "the group could not store it now; retry"));
    var back = bob.expectMessageClass(GroupConsent.ReceiveInvite.class);
    assertEquals(INVITE, back.invite());
    back.replyTo().tell(Outcome.ok(Done.INSTANCE));
    assertError(answer, "i1", "unavailable");
  }

  /**
   * A full group keeps the invite for later: the refusal says so, not that the invite no longer
   * holds. Before, it said "no longer holds" while the invite was given back and shown again.
   */
  @Test
  void anAcceptAFullGroupRefusesSaysTheInviteIsKept() {
    CompletionStage<Optional<String>> answer = bobAccepts();
    group.expectMessageClass(ConversationActor.AddMembers.class).replyTo()
        .tell(Outcome.rejected(Outcome.Reason.BAD_REQUEST, "a group has at most 6 members"));
    bob.expectMessageClass(GroupConsent.ReceiveInvite.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    JsonNode refused = json(answer);
    assertEquals("bad_request", refused.get("code").asText(), refused.toString());
    assertEquals("the group " + GROUP + " cannot take you now, so your invite is kept: a group has at most 6 members",
        refused.get("message").asText());
  }

  /**
   * An inviter who may no longer add anyone (demoted) makes the invite dead: it stays gone, and
   * every device of the user, which may show it, is told it was revoked. Before, they were told
   * nothing and kept offering an invite that answered not_found.
   */
  @Test
  void anAcceptThatNoLongerHoldsLeavesTheInviteGoneAndTellsEveryDevice() {
    CompletionStage<Optional<String>> answer = bobAccepts();
    group.expectMessageClass(ConversationActor.AddMembers.class).replyTo()
        .tell(Outcome.rejected(Outcome.Reason.FORBIDDEN, "only the owner or an admin may add members"));
    assertError(answer, "i1", "forbidden");
    assertEquals(new DeviceEvent.InviteRevoked(GROUP), bob.expectMessageClass(UserActor.Notify.class).event());
    bob.expectNoMessage(Duration.ofMillis(300)); // the invite is not given back
  }

  /** An inviter who left the group makes the invite dead the same way. */
  @Test
  void anAcceptWhoseInviterLeftTellsEveryDeviceTheInviteIsGone() {
    CompletionStage<Optional<String>> answer = bobAccepts();
    group.expectMessageClass(ConversationActor.AddMembers.class).replyTo()
        .tell(Outcome.rejected(Outcome.Reason.NOT_MEMBER, "alice is not a member of " + GROUP));
    assertError(answer, "i1", "not_member");
    assertEquals(new DeviceEvent.InviteRevoked(GROUP), bob.expectMessageClass(UserActor.Notify.class).event());
    bob.expectNoMessage(Duration.ofMillis(300));
  }
  /**
   * Removing someone who is only invited revokes their invite: the group has no member to remove,
   * so before, the invite stayed and carol could still accept it and join.
   */
  @Test
  void removingAnInviteeDropsTheirInvite() {
    carol = harness.userProbe("carol");
    group = harness.conversationProbe(GROUP);
    CompletionStage<Optional<String>> answer = frames.handle("{\"type\": \"conversation.remove_members\", "
        + "\"conversation_id\": \"" + GROUP + "\", \"members\": [\"carol\"]}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(1, 0));
    group.expectMessageClass(ConversationActor.RemoveMembers.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    var revoke = carol.expectMessageClass(GroupConsent.FindInvite.class);
    assertEquals(GROUP, revoke.conversationId());
    assertEquals(true, revoke.drop(), "the invite goes");
    revoke.replyTo().tell(Outcome.ok(INVITE));
    assertEquals(Optional.empty(), answer.toCompletableFuture().join());
  }

  /**
   * The invitee's devices, which show the invite, are told it was revoked: before, they were told
   * nothing and kept offering an invite that answered not_found.
   */
  @Test
  void aRevokedInviteIsToldToEveryDeviceOfTheInvitee() {
    carol = harness.userProbe("carol");
    group = harness.conversationProbe(GROUP);
    CompletionStage<Optional<String>> answer = frames.handle("{\"type\": \"conversation.remove_members\", "
        + "\"conversation_id\": \"" + GROUP + "\", \"members\": [\"carol\"]}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(1, 0));
    group.expectMessageClass(ConversationActor.RemoveMembers.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    carol.expectMessageClass(GroupConsent.FindInvite.class).replyTo().tell(Outcome.ok(INVITE));
    var told = carol.expectMessageClass(UserActor.Notify.class);
    assertEquals(new DeviceEvent.InviteRevoked(GROUP), told.event());
    assertEquals("{\"type\":\"conversation.invite_revoked\",\"conversation_id\":\"" + GROUP + "\"}",
        io.parley.gateway.WireFormat.render(io.parley.gateway.WireFormat.event(told.event(), 0)));
    assertEquals(Optional.empty(), answer.toCompletableFuture().join());
  }

  /**
   * A remove_members sent with a req_id is answered once done, as add_members is and as
   * {@code DELETE …/members} answers: before, it had no reply, so a client removing someone only
   * invited (which changes no member list, so shows no conversation.updated) never learnt it was done.
   */
  @Test
  void aRemovalWithAReqIdIsAnsweredOnceDoneAsOverHttp() {
    carol = harness.userProbe("carol");
    group = harness.conversationProbe(GROUP);
    CompletionStage<Optional<String>> answer = frames.handle("{\"type\": \"conversation.remove_members\", "
        + "\"req_id\": \"x1\", \"conversation_id\": \"" + GROUP + "\", \"members\": [\"carol\", \"carol\"]}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(1, 0));
    group.expectMessageClass(ConversationActor.RemoveMembers.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    carol.expectMessageClass(GroupConsent.FindInvite.class).replyTo().tell(Outcome.ok(INVITE));
    JsonNode removed = json(answer);
    assertEquals("{\"type\":\"conversation.members_removed\",\"req_id\":\"x1\",\"conversation_id\":\"" + GROUP
        + "\",\"removed\":[\"carol\"]}", removed.toString());
  }

  /** A removed member has no invite to drop: the removal is done all the same. */
  @Test
  void removingSomeoneWithNoInviteIsDoneAllTheSame() {
    carol = harness.userProbe("carol");
    group = harness.conversationProbe(GROUP);
    CompletionStage<Optional<String>> answer = frames.handle("{\"type\": \"conversation.remove_members\", "
        + "\"conversation_id\": \"" + GROUP + "\", \"members\": [\"carol\", \"carol\"]}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(1, 0));
    group.expectMessageClass(ConversationActor.RemoveMembers.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    carol.expectMessageClass(GroupConsent.FindInvite.class).replyTo()
        .tell(Outcome.rejected(Outcome.Reason.NOT_FOUND, "no invite to " + GROUP));
    assertEquals(Optional.empty(), answer.toCompletableFuture().join());
    carol.expectNoMessage(Duration.ofMillis(300)); // asked once, however often named
  }
}
