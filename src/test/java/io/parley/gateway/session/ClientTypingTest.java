package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.limits.RequestTimeouts;
import io.parley.user.AllowanceKind;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * A typing frame has no reply when the conversation relays it, and an error carrying its
 * {@code req_id} when the conversation refuses it; one the conversation could not answer is stale
 * by the time a retry could come, so it gets no reply either.
 */
class ClientTypingTest extends ClientFramesFixture {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);

  @Override
  RequestTimeouts timeouts() {
    return new RequestTimeouts(ASK_TIMEOUT, Duration.ofSeconds(5));
  }

  /** What the conversation was asked by the last {@link #typing()}. */
  private ConversationActor.Typing asked;

  /** Bob types in d:alice:bob with {@code req_id} "t"; the typing limit allows it, and the conversation is asked. */
  private CompletionStage<Optional<String>> typing() {
    CompletionStage<Optional<String>> answer =
        frames.handle("{\"type\": \"typing\", \"req_id\": \"t\", \"conversation_id\": \"d:alice:bob\"}");
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    assertEquals(AllowanceKind.TYPING, lease.kind());
    lease.replyTo().tell(new UserActor.AllowanceLease(10, 0));
    asked = conversation.expectMessageClass(ConversationActor.Typing.class);
    return answer;
  }

  @Test
  void aRefusedTypingGetsAnErrorWithItsReqIdAndARelayedOneNoReply() {
    CompletionStage<Optional<String>> refused = typing();
    assertEquals("bob", asked.userId());
    asked.replyTo().tell(Outcome.rejected(Outcome.Reason.NOT_MEMBER, "bob is not a member of d:alice:bob"));
    assertError(refused, "t", "not_member");

    CompletionStage<Optional<String>> relayed = frames.handle(
        "{\"type\": \"typing\", \"req_id\": \"t2\", \"conversation_id\": \"d:alice:bob\"}");
    var again = conversation.expectMessageClass(ConversationActor.Typing.class); // within the lease
    again.replyTo().tell(Outcome.ok(Done.INSTANCE));
    assertEquals(Optional.empty(), join(relayed));
  }

  @Test
  void aConversationThatCannotAnswerNowOrInTimeGetsTheTypingNoReply() {
    CompletionStage<Optional<String>> unavailable = typing();
    asked.replyTo()
        .tell(Outcome.rejected(Outcome.Reason.UNAVAILABLE, "could not check the members of d:alice:bob; retry"));
    assertEquals(Optional.empty(), join(unavailable));

    CompletionStage<Optional<String>> unanswered = frames.handle(
        "{\"type\": \"typing\", \"req_id\": \"t2\", \"conversation_id\": \"d:alice:bob\"}");
    conversation.expectMessageClass(ConversationActor.Typing.class); // and never answered
    assertEquals(Optional.empty(), join(unanswered), "no reply once the ask timed out");
  }
}
