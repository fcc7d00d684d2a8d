package io.parley.conversation;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Reads stored messages back out of a conversation's journal: history pages, re-delivery to
 * reconnecting devices and hand-off retries all come from here, so message content lives in one
 * place only.
 */
public final class ConversationJournal {
  private final CurrentEventsByPersistenceIdQuery readJournal;
  private final ActorSystem<?> system;

  public ConversationJournal(CurrentEventsByPersistenceIdQuery readJournal, ActorSystem<?> system) {
    this.readJournal = readJournal;
    this.system = system;
  }

  /** Messages with {@code fromSeq <= seq <= toSeq}, ascending, found within {@code range}. */
  public CompletionStage<List<ChatMessage>> read(
      String conversationId, JournalIndex.Range range, long fromSeq, long toSeq) {
    // The DynamoDB read journal requires from < to, and clamps `to` to the highest stored event.
    long to = Math.max(range.toJournalSeqNr(), range.fromJournalSeqNr() + 1);
    return readJournal
        .currentEventsByPersistenceId(
            ConversationActor.persistenceId(conversationId).id(), range.fromJournalSeqNr(), to)
        .filter(envelope -> envelope.event() instanceof ConversationActor.MessagesAccepted)
        .mapConcat(envelope -> ((ConversationActor.MessagesAccepted) envelope.event()).messages())
        .filter(stored -> stored.seq() >= fromSeq && stored.seq() <= toSeq)
        .map(stored -> stored.toChatMessage(conversationId))
        .runWith(Sink.seq(), system);
  }
}
