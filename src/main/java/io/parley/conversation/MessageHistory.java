package io.parley.conversation;

import io.parley.Outcome;
import io.parley.cluster.Entities;
import io.parley.cluster.JsonSerializable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Reads a conversation's messages: the ConversationActor says where they are in its journal (and
 * whether the reader may see them), then they are read straight from the journal, off the actor.
 */
public final class MessageHistory {
  public record Page(List<ChatMessage> messages, boolean hasMore) implements JsonSerializable {}

  private final Entities entities;
  private final ConversationJournal journal;
  private final Duration timeout;
  private final ActorSystem<?> system;

  public MessageHistory(
      Entities entities, ConversationJournal journal, Duration timeout, ActorSystem<?> system) {
    this.entities = entities;
    this.journal = journal;
    this.timeout = timeout;
    this.system = system;
  }

  /** The newest {@code limit} messages before {@code beforeSeq}, ascending, for a member. */
  public CompletionStage<Outcome<Page>> page(
      String userId, String conversationId, long beforeSeq, int limit) {
    return locate(userId, conversationId, beforeSeq, limit)
        .thenCompose(
            located -> {
              if (!located.isOk()) {
                return CompletableFuture.completedFuture(
                    Outcome.rejected(located.reason(), located.message()));
              }
              ConversationActor.Location at = located.value();
              return read(conversationId, at)
                  .thenApply(messages -> Outcome.ok(new Page(messages, at.fromSeq() > 1)));
            });
  }

  /** Messages {@code fromSeq..toSeq} for re-delivery to the user they were already handed to. */
  public CompletionStage<List<ChatMessage>> messages(String conversationId, long fromSeq, long toSeq) {
    int limit = (int) Math.min(Integer.MAX_VALUE, toSeq - fromSeq + 1);
    return locate(null, conversationId, toSeq + 1, limit)
        .thenCompose(
            located ->
                located.isOk()
                    ? read(conversationId, located.value())
                    : CompletableFuture.completedFuture(List.of()));
  }

  private CompletionStage<Outcome<ConversationActor.Location>> locate(
      String userId, String conversationId, long beforeSeq, int limit) {
    return AskPattern.ask(
        entities.conversation(conversationId),
        replyTo -> new ConversationActor.LocateMessages(userId, beforeSeq, limit, replyTo),
        timeout,
        system.scheduler());
  }

  private CompletionStage<List<ChatMessage>> read(
      String conversationId, ConversationActor.Location at) {
    if (at.fromSeq() > at.toSeq()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return journal.read(conversationId, at.range(), at.fromSeq(), at.toSeq());
  }
}
