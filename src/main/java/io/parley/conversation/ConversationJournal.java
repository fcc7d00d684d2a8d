package io.parley.conversation;

import io.parley.cluster.EventBatches;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Reads stored messages back out of a conversation's journal (the hot tier): history pages,
 * re-delivery to reconnecting devices, hand-off retries and archive runs all come from here or
 * from the cold tier, so message content lives in one place only.
 */
public final class ConversationJournal {
  /** A message and the journal sequence number where the write holding it starts. */
  public record Written(ChatMessage message, long writeSeqNr) {}

  private final CurrentEventsByPersistenceIdQuery readJournal;
  private final ActorSystem<?> system;

  public ConversationJournal(CurrentEventsByPersistenceIdQuery readJournal, ActorSystem<?> system) {
    this.readJournal = readJournal;
    this.system = system;
  }

  /** Messages with {@code fromSeq <= seq <= toSeq}, ascending, found within {@code range}. */
  public CompletionStage<List<ChatMessage>> read(
      String conversationId, JournalIndex.Range range, long fromSeq, long toSeq) {
    return readWritten(conversationId, range, fromSeq, toSeq)
        .thenApply(written -> written.stream().map(Written::message).toList());
  }

  /** As {@link #read}, with where each message's write starts (what an archive run needs). */
  public CompletionStage<List<Written>> readWritten(
      String conversationId, JournalIndex.Range range, long fromSeq, long toSeq) {
    // The DynamoDB read journal requires from < to, and clamps `to` to the highest stored event.
    long to = Math.max(range.toJournalSeqNr(), range.fromJournalSeqNr() + 1);
    return readJournal
        .currentEventsByPersistenceId(
            ConversationActor.persistenceId(conversationId).id(), range.fromJournalSeqNr(), to)
        .mapConcat(envelope -> EventBatches.unbatched(envelope.event()))
        .filter(event -> event instanceof ConversationActor.MessagesAccepted)
        .map(event -> (ConversationActor.MessagesAccepted) event)
        .mapConcat(accepted -> accepted.messages().stream()
            .filter(stored -> stored.seq() >= fromSeq && stored.seq() <= toSeq)
            .map(stored -> new Written(stored.toChatMessage(conversationId), accepted.writeSeqNr()))
            .toList())
        .runWith(Sink.seq(), system);
  }
}
