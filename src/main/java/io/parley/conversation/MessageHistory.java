package io.parley.conversation;

import io.parley.cluster.Asks;
import io.parley.cluster.Outcome;
import io.parley.cluster.JsonSerializable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Reads a conversation's messages: the ConversationActor says where they are (cold segments in
 * S3, a range of its journal) and whether the reader may see them, then they are read straight
 * from there, off the actor.
 */
public final class MessageHistory {
  public record Page(List<ChatMessage> messages, boolean hasMore) implements JsonSerializable {}

  /** Reads that raced an archive run are located again; more than this many races is a fault. */
  private static final int MAX_ATTEMPTS = 3;

  private final Conversations conversations;
  private final MessageReader reader;
  private final Duration timeout;
  private final ActorSystem<?> system;

  public MessageHistory(Conversations conversations, MessageReader reader, Duration timeout, ActorSystem<?> system) {
    this.conversations = conversations;
    this.reader = reader;
    this.timeout = timeout;
    this.system = system;
  }

  /** The newest {@code limit} messages before {@code beforeSeq}, ascending, for a member. */
  public CompletionStage<Outcome<Page>> page(
      String userId, String conversationId, long beforeSeq, int limit) {
    return locateAndRead(userId, conversationId, beforeSeq, limit, 1)
        .thenApply(read -> read.map(r -> new Page(r.messages(), r.at().hasEarlier())));
  }

  /**
   * The messages of {@code senderId}'s among the newest {@code limit} before {@code beforeSeq},
   * for their export: read without the membership check (a group they left is in it), and
   * without the messages of an erased earlier account under the same id, which are not theirs.
   */
  public record Sent(List<ChatMessage> messages, long nextBefore) {
    /** No page is left to read. */
    public static final long NONE = 0;
  }

  public CompletionStage<Outcome<Sent>> sentBy(String senderId, String conversationId, long beforeSeq, int limit) {
    return locateAndRead(null, conversationId, beforeSeq, limit, 1)
        .thenApply(read -> read.map(r -> {
          long erasedThrough = r.at().erased().getOrDefault(senderId, 0L);
          List<ChatMessage> sent = r.messages().stream()
              .filter(m -> m.senderId().equals(senderId) && m.seq() > erasedThrough)
              .toList();
          boolean more = !r.messages().isEmpty() && r.at().hasEarlier();
          return new Sent(sent, more ? r.at().fromSeq() : Sent.NONE);
        }));
  }

  /** Messages {@code fromSeq..toSeq} for re-delivery to the user they were already handed to. */
  public CompletionStage<List<ChatMessage>> messages(String conversationId, long fromSeq, long toSeq) {
    int limit = (int) Math.min(Integer.MAX_VALUE, toSeq - fromSeq + 1);
    return locateAndRead(null, conversationId, toSeq + 1, limit, 1)
        .thenApply(read -> read.isOk() ? read.value().messages() : List.of());
  }

  private record Read(ConversationActor.Location at, List<ChatMessage> messages) {}

  private CompletionStage<Outcome<Read>> locateAndRead(
      String userId, String conversationId, long beforeSeq, int limit, int attempt) {
    return Asks.<ConversationActor.Command, Outcome<ConversationActor.Location>>ask(
            conversations.conversation(conversationId),
            replyTo -> new ConversationActor.LocateMessages(userId, beforeSeq, limit, replyTo),
            timeout,
            system.scheduler())
        .thenCompose(located -> {
          if (!located.isOk()) {
            return CompletableFuture.completedFuture(Outcome.rejected(located.reason(), located.message()));
          }
          ConversationActor.Location at = located.value();
          return reader.read(conversationId, at)
              .thenApply(messages -> Outcome.ok(new Read(at, messages)))
              .exceptionallyCompose(failure -> {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                if (cause instanceof MessageReader.IncompleteRead && attempt < MAX_ATTEMPTS) {
                  return locateAndRead(userId, conversationId, beforeSeq, limit, attempt + 1);
                }
                return CompletableFuture.failedFuture(cause);
              });
        });
  }
}
