package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;

/** What the journal ITs ask of a node's journal: events written by an entity, and deleted. */
final class JournalRequests {
  private JournalRequests() {}

  /** {@code events} events of {@code persistenceId}, each persisted before the next is sent. */
  static void write(ActorTestKit node, String persistenceId, int events) {
    TestProbe<Long> probe = node.createTestProbe();
    ActorRef<RecoveryReadsIT.Command> entity = node.spawn(RecoveryReadsIT.entity(persistenceId));
    for (int value = 1; value <= events; value++) {
      entity.tell(new RecoveryReadsIT.Append(value, probe.ref()));
      probe.receiveMessage(Duration.ofSeconds(10));
    }
    node.stop(entity);
  }

  /** Deletes the events of {@code persistenceId} through {@code toSequenceNr}, as an entity asks. */
  static void deleteTo(ActorTestKit node, String persistenceId, long toSequenceNr) {
    TestProbe<Object> probe = node.createTestProbe();
    org.apache.pekko.actor.ActorRef journal =
        Persistence.get(Adapter.toClassic(node.system())).journalFor("", ConfigFactory.empty());
    journal.tell(new JournalProtocol.DeleteMessagesTo(persistenceId, toSequenceNr, Adapter.toClassic(probe.ref())),
        org.apache.pekko.actor.ActorRef.noSender());
    assertEquals(new DeleteMessagesSuccess(toSequenceNr), probe.receiveMessage(Duration.ofSeconds(20)));
  }
}
