package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.cluster.EventBatches;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor.SendAck;
import io.parley.testing.RefusedWrites;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A write the journal refuses (a store that cannot commit: a full disk, an outage): the sends it
 * carried are told so at once, rather than left to the gateway's timeout, and a retry of each is
 * stored once.
 */
class ConversationWriteFailureTest {
  static final String CONVERSATION = "d:alice:bob";
  final ConversationFixture fixture = new ConversationFixture("parley.conversation { handoff-retry-interval = 100ms }");

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void theSendsOfARefusedWriteAreToldUnavailableAndTheirRetriesAreStoredOnce() {
    ActorRef<ConversationActor.Command> conversation = fixture.spawn(CONVERSATION);
    assertEquals(1, send(conversation, "c1").value().seq());

    fixture.journal.failNextPersisted(ConversationActor.persistenceId(CONVERSATION).id(),
        new IllegalStateException("the store cannot commit"));
    TestProbe<Outcome<SendAck>> replies = fixture.harness.testKit.createTestProbe();
    for (String id : List.of("c2", "c3", "c4")) {
      conversation.tell(new ConversationActor.Send("alice", id, "content of " + id, "text", replies.ref()));
    }
    RefusedWrites.awaitToldUnavailable(replies, 3);

    List<Long> seqs = new ArrayList<>();
    for (String id : List.of("c2", "c3", "c4")) {
      seqs.add(send(conversation, id).value().seq()); // the client's retry, as unavailable asks
    }
    assertEquals(List.of(2L, 3L, 4L), seqs.stream().sorted().toList(), "each stored once, gapless");
    assertEquals(5, send(conversation, "c5").value().seq());
    assertEquals(5, storedMessages(), "nothing stored twice");
  }

  private Outcome<SendAck> send(ActorRef<ConversationActor.Command> conversation, String clientMsgId) {
    TestProbe<Outcome<SendAck>> reply = fixture.harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Send("alice", clientMsgId, "content of " + clientMsgId, "text", reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(10));
  }

  private long storedMessages() {
    return fixture.journal.persistedInStorage(ConversationActor.persistenceId(CONVERSATION).id()).stream()
        .flatMap(event -> EventBatches.unbatched(event).stream())
        .filter(ConversationActor.MessagesAccepted.class::isInstance)
        .mapToLong(accepted -> ((ConversationActor.MessagesAccepted) accepted).messages().size())
        .sum();
  }
}
