package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.privacy.ContentKey;
import io.parley.privacy.SealedText;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * {@code conversation.rename}: the title is checked as at creation, sealed with the renamer's key,
 * and asked of the group; the title the group has already is sealed by no one.
 */
class ClientGroupRenameTest extends ClientFramesFixture {
  static final String GROUP = "g.climbing";

  private CompletionStage<Optional<String>> rename(String title) {
    return frames.handle("{\"type\": \"conversation.rename\", \"req_id\": \"n1\", \"conversation_id\": \""
        + GROUP + "\", \"title\": \"" + title + "\"}");
  }

  /** Bob renames: his group-change allowance, then the group's title as he may see it. */
  private ConversationActor.Rename renamed(TestProbe<ConversationActor.Command> group, String current) {
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(1, 0));
    var info = group.expectMessageClass(ConversationActor.GetInfo.class);
    assertEquals("bob", info.userId(), "a member's view: a stranger is refused there");
    info.replyTo().tell(Outcome.ok(new ConversationInfo(GROUP, current, List.of("alice", "bob"), 3)));
    return group.expectMessageClass(ConversationActor.Rename.class);
  }

  @Test
  void aNewTitleIsSealedWithTheRenamersKeyAndTheChangeHasNoReply() {
    var group = harness.conversationProbe(GROUP);
    CompletionStage<Optional<String>> answer = rename("Bouldering");
    ConversationActor.Rename rename = renamed(group, "Climbing");
    assertEquals("bob", rename.requesterId());
    SealedText sealed = SealedText.parse(rename.title()).orElseThrow();
    assertEquals("bob", sealed.userId());
    ContentKey key = join(harness.contentKeys.forSending("bob"));
    assertEquals(Optional.of("Bouldering"), sealed.open(key, ContentKey.titlePlace(GROUP)));
    rename.replyTo().tell(Outcome.ok(Done.INSTANCE));
    assertEquals(Optional.empty(), join(answer), "as set_role: conversation.updated tells it");
  }

  @Test
  void theTitleTheGroupHasAlreadyIsSealedByNoOne() {
    var group = harness.conversationProbe(GROUP);
    CompletionStage<Optional<String>> answer = rename("Climbing");
    ConversationActor.Rename rename = renamed(group, "Climbing");
    assertNull(rename.title(), "nothing to change; the group still checks who asks");
    rename.replyTo().tell(Outcome.ok(Done.INSTANCE));
    assertEquals(Optional.empty(), join(answer));
  }

  @Test
  void aPlainMembersRenameIsForbidden() {
    var group = harness.conversationProbe(GROUP);
    CompletionStage<Optional<String>> answer = rename("Mine");
    renamed(group, "Climbing").replyTo().tell(Outcome.rejected(Outcome.Reason.FORBIDDEN, "only the owner"));
    assertError(answer, "n1", "forbidden");
  }

  @Test
  void aTitleRefusedAtCreationIsRefusedBeforeAnythingIsAsked() {
    var group = harness.conversationProbe(GROUP);
    for (String title : List.of("", "Crags\\u2028at night", "x".repeat(201), "\\u3164\\u00A0")) {
      CompletionStage<Optional<String>> answer = rename(title);
      assertError(answer, "n1", "bad_request");
      assertTrue(json(rename(title)).get("message").asText().startsWith("title must"));
    }
    bob.expectNoMessage(Duration.ofMillis(200));
    group.expectNoMessage(Duration.ofMillis(200));
  }
}
