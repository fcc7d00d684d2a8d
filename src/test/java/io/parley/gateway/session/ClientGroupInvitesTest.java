package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
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
}
