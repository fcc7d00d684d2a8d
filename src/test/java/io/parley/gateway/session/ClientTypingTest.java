package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * by the time a retry could come, so it gets no reply either. Typing stores nothing, so it holds
 * up none of the connection's later replies: its refusal comes through the connection.
 */
class ClientTypingTest extends ClientFramesFixture {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);

  @Override
  RequestTimeouts timeouts() {
    return new RequestTimeouts(ASK_TIMEOUT, Duration.ofSeconds(5));
  }

  /** What the conversation was asked by the last {@link #typing(String)}. */
  private ConversationActor.Typing asked;

  /** Bob types in d:alice:bob; the typing limit allows it, and the conversation is asked. */
  private CompletionStage<Optional<String>> typing(String reqId) {
    CompletionStage<Optional<String>> answer = frames.handle(
        "{\"type\": \"typing\", \"req_id\": \"" + reqId + "\", \"conversation_id\": \"d:alice:bob\"}");
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    assertEquals(AllowanceKind.TYPING, lease.kind());
    lease.replyTo().tell(new UserActor.AllowanceLease(10, 0));
    asked = conversation.expectMessageClass(ConversationActor.Typing.class);
    return answer;
  }

  /** Within {@code wait}, shorter than the ask's timeout: an answer that waited for the conversation would not come. */
  private static <T> T join(CompletionStage<T> stage, Duration wait) {
    try {
      return stage.toCompletableFuture().get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception failed) {
      throw new AssertionError("no answer within " + wait, failed);
    }
  }

  private ObjectNode refusal() {
    return connection.expectMessageClass(Connection.Refusal.class).error();
  }

  @Test
  void aRefusedTypingGetsAnErrorWithItsReqIdAndARelayedOneNoReply() {
    CompletionStage<Optional<String>> refused = typing("t");
    assertEquals("bob", asked.userId());
    assertEquals(Optional.empty(), join(refused, Duration.ofSeconds(1)), "done with before the conversation answered");
    asked.replyTo().tell(Outcome.rejected(Outcome.Reason.NOT_MEMBER, "bob is not a member of d:alice:bob"));
    ObjectNode error = refusal();
    assertEquals("error", error.get("type").asText());
    assertEquals("t", error.get("req_id").asText());
    assertEquals("not_member", error.get("code").asText());

    CompletionStage<Optional<String>> relayed = frames.handle(
        "{\"type\": \"typing\", \"req_id\": \"t2\", \"conversation_id\": \"d:alice:bob\"}");
    conversation.expectMessageClass(ConversationActor.Typing.class).replyTo().tell(Outcome.ok(Done.INSTANCE)); // within the lease
    assertEquals(Optional.empty(), join(relayed));
    connection.expectNoMessage(Duration.ofMillis(200));
  }

  /**
   * The socket's stage sends replies in the order of their frames, holding each until the ones
   * before it are done: a typing is done with before its conversation answers.
   */
  @Test
  void aTypingHoldsUpNoLaterReplyWhileItsConversationAnswers() {
    CompletionStage<Optional<String>> answer = typing("t");
    assertEquals(Optional.empty(), join(answer, Duration.ofSeconds(1)), "done with while the conversation has not answered");
    asked.replyTo().tell(Outcome.rejected(Outcome.Reason.NOT_MEMBER, "bob is not a member of d:alice:bob"));
    assertEquals("t", refusal().get("req_id").asText());
  }

  @Test
  void aConversationThatCannotAnswerNowOrInTimeGetsTheTypingNoReply() {
    typing("t");
    asked.replyTo()
        .tell(Outcome.rejected(Outcome.Reason.UNAVAILABLE, "could not check the members of d:alice:bob; retry"));
    connection.expectNoMessage(Duration.ofMillis(200));

    frames.handle("{\"type\": \"typing\", \"req_id\": \"t2\", \"conversation_id\": \"d:alice:bob\"}");
    conversation.expectMessageClass(ConversationActor.Typing.class); // and never answered
    connection.expectNoMessage(ASK_TIMEOUT.plusSeconds(1));
  }
}
