package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.conversation.ConversationActor;
import io.parley.testing.ParleyProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
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
    TestProbe<Long> probe = node.createTestProbe();
    ActorRef<RecoveryReadsIT.Command> entity = node.spawn(RecoveryReadsIT.entity(persistenceId(conversationId)));
    for (int value = 1; value <= events; value++) {
      entity.tell(new RecoveryReadsIT.Append(value, probe.ref()));
      probe.receiveMessage(Duration.ofSeconds(10));
    }
    node.stop(entity);
  }

  private void deleteTo(String conversationId, long toSequenceNr) {
    TestProbe<Object> probe = node.createTestProbe();
    org.apache.pekko.actor.ActorRef journal =
        Persistence.get(Adapter.toClassic(node.system())).journalFor("", com.typesafe.config.ConfigFactory.empty());
    journal.tell(new JournalProtocol.DeleteMessagesTo(persistenceId(conversationId), toSequenceNr,
        Adapter.toClassic(probe.ref())), org.apache.pekko.actor.ActorRef.noSender());
    assertEquals(new DeleteMessagesSuccess(toSequenceNr), probe.receiveMessage(Duration.ofSeconds(10)));
  }
}
