package io.parley.conversation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reads the messages a {@link ConversationActor.Location} describes: the cold part from S3
 * segments, the hot part from the journal. Callers get exactly {@code fromSeq..toSeq} or a
 * failure, never a page with a hole: a read that raced an archive run (its journal events
 * deleted after the location was given) fails with {@link IncompleteRead}, and the caller asks
 * for a fresh location.
 */
public final class MessageReader {
  /** The read came back with messages missing; locate again and retry. */
  public static final class IncompleteRead extends RuntimeException {
    IncompleteRead(String message) {
      super(message, null, false, false);
    }
  }

  private final ConversationJournal journal;
  private final ColdStore cold;

  public MessageReader(ConversationJournal journal, ColdStore cold) {
    this.journal = journal;
    this.cold = cold;
  }

  /** The hot tier it reads, which archive runs read too. */
  ConversationJournal journal() {
    return journal;
  }

  public CompletionStage<List<ChatMessage>> read(String conversationId, ConversationActor.Location at) {
    if (at.fromSeq() > at.toSeq()) {
      return CompletableFuture.completedFuture(List.of());
    }
    Set<Long> deleted = Set.copyOf(at.deleted());
    List<CompletableFuture<List<ChatMessage>>> parts = new ArrayList<>();
    for (Segment segment : at.cold()) {
      parts.add(cold.read(conversationId, segment).toCompletableFuture());
    }
    if (at.hotFromSeq() <= at.toSeq()) {
      parts.add(journal.read(conversationId, at.range(), at.hotFromSeq(), at.toSeq()).toCompletableFuture());
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(done -> {
          List<ChatMessage> messages = parts.stream()
              .flatMap(part -> part.join().stream())
              .filter(m -> m.seq() >= at.fromSeq() && m.seq() <= at.toSeq())
              .sorted(Comparator.comparingLong(ChatMessage::seq))
              .map(m -> deleted.contains(m.seq()) || m.seq() <= at.erased().getOrDefault(m.senderId(), 0L)
                  ? m.tombstone() : m)
              .toList();
          requireWhole(conversationId, at, messages);
          return messages;
        });
  }

  private static void requireWhole(String conversationId, ConversationActor.Location at, List<ChatMessage> messages) {
    boolean whole = messages.size() == at.toSeq() - at.fromSeq() + 1;
    for (int i = 0; whole && i < messages.size(); i++) {
      whole = messages.get(i).seq() == at.fromSeq() + i;
    }
    if (!whole) {
      throw new IncompleteRead("read " + messages.size() + " of " + conversationId + " "
          + at.fromSeq() + ".." + at.toSeq());
    }
  }
}
