package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Outcome;
import io.parley.cluster.EventBatches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/** Sending ({@link SendBatch}, {@link DedupWindow}): gapless seqs, retries answered once, batched writes. */
class ConversationSendTest extends ConversationFixture {
  @Test
  void seqIsGaplessAndARetryReturnsTheOriginalAck() {
    var conversation = spawn("d:alice:bob");
    var first = send(conversation, "alice", "c1").value();
    var second = send(conversation, "bob", "c2").value();
    var retry = send(conversation, "alice", "c1").value();
    assertEquals(1, first.seq());
    assertEquals(2, second.seq());
    assertTrue(first.toSenderStream(), "a new message's copy goes into the sender's stream");
    assertEquals(first.asRepeat(), retry);
    assertEquals(3, send(conversation, "alice", "c3").value().seq());
    // The same client_msg_id from another sender is another message.
    assertEquals(4, send(conversation, "bob", "c1").value().seq());
  }

  /** A client that numbers its client_msg_ids afresh after the erasure must not get the erased account's acks. */
  @Test
  void anErasedIdThatComesBackIsNotAnsweredWithTheErasedAccountsMessages() {
    var conversation = spawn("d:alice:bob");
    assertEquals(1, send(conversation, "alice", "c1").value().seq());
    assertTrue(eraseMember(conversation, "alice").isOk());
    var again = send(conversation, "alice", "c1").value();
    assertEquals(2, again.seq(), "a new message, stored: " + again);
    assertEquals(again.asRepeat(), send(conversation, "alice", "c1").value(), "and its own retry is answered once");
    stopAndAwait(conversation);
    assertEquals(again.asRepeat(), send(spawn("d:alice:bob"), "alice", "c1").value(), "after recovery too");
  }

  @Test
  void theIdempotencyWindowAndSeqSurviveARestart() {
    var conversation = spawn("d:alice:bob");
    var original = send(conversation, "alice", "c1").value();
    stopAndAwait(conversation);
    var restarted = spawn("d:alice:bob");
    assertEquals(original.asRepeat(), send(restarted, "alice", "c1").value());
    assertEquals(2, send(restarted, "alice", "c2").value().seq());
  }

  @Test
  void replayingUnderOtherSettingsRebuildsTheSameIdempotencyWindow() {
    settings = withOverrides("parley.conversation { dedup-max-entries = 2, snapshot-every = 1000 }");
    var conversation = spawn("d:alice:bob");
    for (String id : List.of("w1", "w2", "w3")) {
      send(conversation, "alice", id);
    }
    // The window holds two entries: w1 is forgotten, and a repeat of it is a new message.
    stopAndAwait(conversation);
    settings = withOverrides("parley.conversation { dedup-max-entries = 100, snapshot-every = 1000 }");
    var replayed = spawn("d:alice:bob");
    assertEquals(3, send(replayed, "alice", "w3").value().seq(), "still remembered");
    assertEquals(4, send(replayed, "alice", "w1").value().seq(), "forgotten as it was before the restart");
  }

  private ConversationSettings withOverrides(String overrides) {
    return ConversationSettings.from(com.typesafe.config.ConfigFactory.parseString(overrides).withFallback(harness.config));
  }

  @Test
  void sendsArrivingTogetherAreWrittenTogether() {
    var conversation = spawn("d:alice:bob");
    TestProbe<Outcome<ConversationActor.SendAck>> replies = harness.testKit.createTestProbe();
    int sends = 40;
    for (int i = 0; i < sends; i++) {
      conversation.tell(new ConversationActor.Send("alice", "b" + i, "x", "text", replies.ref()));
    }
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < sends; i++) {
      seqs.add(replies.receiveMessage(Duration.ofSeconds(5)).value().seq());
    }
    assertEquals(java.util.stream.LongStream.rangeClosed(1, sends).boxed().toList(), seqs.stream().sorted().toList());
    long writes = journal.persistedInStorage(ConversationActor.persistenceId("d:alice:bob").id()).stream()
        .filter(e -> EventBatches.unbatched(e).stream().anyMatch(ConversationActor.MessagesAccepted.class::isInstance))
        .count();
    assertTrue(writes < sends / 2, "batched into " + writes + " writes");
  }

  @Test
  void beyondTheBufferSendersAreToldUnavailableAndNothingIsLost() {
    var conversation = spawn("d:alice:bob");
    TestProbe<Outcome<ConversationActor.SendAck>> replies = harness.testKit.createTestProbe();
    int sends = 300;
    for (int i = 0; i < sends; i++) {
      conversation.tell(new ConversationActor.Send("alice", "o" + i, "x", "text", replies.ref()));
    }
    int accepted = 0;
    int unavailable = 0;
    for (int i = 0; i < sends; i++) {
      Outcome<ConversationActor.SendAck> outcome = replies.receiveMessage(Duration.ofSeconds(5));
      if (outcome.isOk()) {
        accepted++;
      } else {
        assertEquals(Outcome.Reason.UNAVAILABLE, outcome.reason());
        unavailable++;
      }
    }
    assertTrue(unavailable > 0, "overload was reported");
    assertEquals(sends, accepted + unavailable, "every send got an answer");
    assertEquals(accepted + 1, send(conversation, "alice", "after").value().seq(), "accepted ones are gapless");
  }

  @Test
  void outsidersAndUnknownGroupsAreRefused() {
    assertEquals(Outcome.Reason.NOT_MEMBER, send(spawn("d:alice:bob"), "carol", "x").reason());
    assertEquals(Outcome.Reason.NOT_FOUND, send(spawn("g.unknown"), "alice", "x").reason());
    assertTrue(journal.persistedInStorage(ConversationActor.persistenceId("d:alice:bob").id()).isEmpty(),
        "a refused send stores nothing");
  }

  /** User ids may contain ':': d:a:b:c names a with b:c and a:b with c; the first pair to store holds it. */
  @Test
  void aDirectIdThatNamesTwoPairsBelongsToThePairThatStoredFirst() {
    var conversation = spawn("d:a:b:c");
    assertEquals(1, send(conversation, "a", "m1").value().seq());
    assertEquals(2, send(conversation, "b:c", "m2").value().seq());
    assertEquals(Outcome.Reason.NOT_MEMBER, send(conversation, "a:b", "m3").reason());
    assertEquals(Outcome.Reason.NOT_MEMBER, send(conversation, "c", "m4").reason());
  }
}
