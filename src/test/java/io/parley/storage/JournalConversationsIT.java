package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.conversation.ConversationActor;
import io.parley.testing.ParleyProcess;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.dynamodb.query.javadsl.DynamoDBReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whether a conversation exists, read from the journal through the real plugin against the
 * embedded store: from its first event on, also once its events were deleted, and never for an
 * id that stored nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JournalConversationsIT {
  EmbeddedDynamoDb dynamo;
  ActorTestKit node;
  JournalConversations conversations;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    dynamo = EmbeddedDynamoDb.start(dir, ParleyProcess.freePort());
    node = ActorTestKit.create("journal-conversations-it", LocalPersistence.config(dynamo, ""));
    // As on a node: the read journal's client is Parley's before anything reads through it.
    PluginClient.replaceReadJournalClient(PersistenceQuery.get(node.system())
            .getReadJournalFor(DynamoDBReadJournal.class, "dynamodb-read-journal"),
        node.system().settings().config().getString("dynamodb-read-journal.endpoint"));
    conversations = JournalConversations.of(node.system(), "dynamodb-read-journal");
  }

  @AfterAll
  void stop() throws Exception {
    node.shutdownTestKit();
    dynamo.close();
  }

  @Test
  void aConversationExistsFromItsFirstEventOnEvenOnceItsEventsAreDeleted() {
    assertFalse(exists("g.never"));
    write("g.one", 1);
    assertTrue(exists("g.one"));
    write("g.archived", 150); // past the first partition and its high mark
    deleteTo("g.archived", 150);
    assertTrue(exists("g.archived"));
    assertFalse(exists("d:alice:bob"), "nothing of another id counts");
  }

  private boolean exists(String conversationId) {
    try {
      return conversations.exists(conversationId).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String persistenceId(String conversationId) {
    return ConversationActor.persistenceId(conversationId).id();
  }

  private void write(String conversationId, int events) {
    JournalRequests.write(node, persistenceId(conversationId), events);
  }

  private void deleteTo(String conversationId, long toSequenceNr) {
    JournalRequests.deleteTo(node, persistenceId(conversationId), toSequenceNr);
  }
}
