package io.parley.storage;

import io.parley.conversation.ConversationActor;
import io.parley.conversation.StoredConversations;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.dynamodb.journal.DynamoDBRecovery;
import org.apache.pekko.persistence.dynamodb.query.scaladsl.DynamoDBReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import scala.jdk.javaapi.FutureConverters;

/**
 * Whether a conversation exists, read from the journal: its highest sequence number, as a
 * recovery reads it first (the high marks, the partition they point to, the low marks if that one
 * is empty), which is above zero from the conversation's first event on, also once archiving
 * deleted old events. This is the start of what its entity's recovery would read, without the
 * entity: no remembered start, no snapshot read, no replay, nothing that stays.
 */
public final class JournalConversations implements StoredConversations {
  private final DynamoDBRecovery journal;

  private JournalConversations(DynamoDBRecovery journal) {
    this.journal = journal;
  }

  /** The read journal's plugin instance (the one whose client {@link PluginClient} replaced). */
  public static JournalConversations of(ActorSystem<?> system, String readJournalId) {
    DynamoDBReadJournal reads = PersistenceQuery.get(system).<DynamoDBReadJournal>readJournalFor(readJournalId);
    if (!(reads instanceof DynamoDBRecovery recovery)) {
      throw new IllegalStateException("the read journal does not read sequence numbers (plugin internals changed)");
    }
    return new JournalConversations(recovery);
  }

  @Override
  public CompletionStage<Boolean> exists(String conversationId) {
    return FutureConverters.asJava(
            journal.readSequenceNr(ConversationActor.persistenceId(conversationId).id(), true))
        .thenApply(highest -> ((Number) highest).longValue() > 0);
  }
}
