package io.parley.conversation;

import static io.parley.testing.EntityHarness.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.EventBatches;
import io.parley.cluster.Outcome;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * Deletion notices ({@link DeletionNotices}): a member's UserActor is told again until it
 * confirms storing the notice, across a restart of the conversation, and not beyond an hour.
 */
class DeletionNoticesTest extends ConversationFixture {
  private static final String DIRECT = "d:alice:bob";
  /** How long a user entity's probe must stay quiet to count as told nothing more. */
  private static final Duration QUIET = Duration.ofMillis(500);
  private static final UserActor.MessageDeleted NOTICE = new UserActor.MessageDeleted(DIRECT, 1, "alice");

  private ActorRef<ConversationActor.Command> deletedOne() {
    var conversation = spawn(DIRECT);
    send(conversation, "alice", "c1");
    Outcome<Done> deleted = ask(conversation, reply -> new ConversationActor.Delete("alice", 1, reply));
    assertTrue(deleted.isOk());
    return conversation;
  }

  /** The member's user entity is told the notice (other messages to it are skipped). */
  private void told(String member) {
    harness.userProbe(member).fishForMessage(Duration.ofSeconds(5), message ->
        NOTICE.equals(message) ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
  }

  private void noticed(ActorRef<ConversationActor.Command> conversation, String member) {
    conversation.tell(new ConversationActor.DeletionNoticed(member, 1));
    awaitProcessed(conversation);
  }

  /** Past the retry interval (100 ms here) and the backoff so far. */
  private void retryDue(ActorRef<ConversationActor.Command> conversation) {
    awaitProcessed(conversation);
    harness.clock.advance(Duration.ofSeconds(5));
  }

  private void settledStored() {
    eventually(() -> assertTrue(stored(DIRECT, ConversationActor.DeletionNoticesSettled.class)));
  }

  @Test
  void aNoticeIsToldAgainUntilTheMemberConfirmsItAndThenNoMore() {
    var conversation = deletedOne();
    told("alice");
    told("bob");
    noticed(conversation, "alice");
    retryDue(conversation);
    told("bob"); // bob's user entity did not confirm: told again
    noticed(conversation, "bob");
    settledStored();
    retryDue(conversation);
    retryDue(conversation);
    for (String member : List.of("alice", "bob")) {
      assertFalse(received(harness.userProbe(member), QUIET).contains(NOTICE), "told again after confirming: " + member);
    }
  }

  @Test
  void aNoticeOwedWhenTheConversationStoppedIsToldAfterItsRestart() {
    var conversation = deletedOne();
    told("bob");
    noticed(conversation, "alice");
    stopAndAwait(conversation); // bob never confirmed: his notice is owed in the stored state
    drain(harness.userProbe("bob"));
    spawn(DIRECT);
    told("bob");
  }

  @Test
  void aNoticeNeverConfirmedIsGivenUpAfterAnHour() {
    var conversation = deletedOne();
    told("bob");
    noticed(conversation, "alice");
    awaitProcessed(conversation);
    harness.clock.advance(DeletionNotices.GIVE_UP_AFTER.plusSeconds(1));
    settledStored();
    eventually(() -> assertTrue(journal.persistedInStorage(ConversationActor.persistenceId(DIRECT).id()).stream()
        .flatMap(e -> EventBatches.unbatched(e).stream())
        .filter(ConversationActor.DeletionNoticesSettled.class::isInstance)
        .map(e -> ((ConversationActor.DeletionNoticesSettled) e).settled())
        .anyMatch(settled -> settled.getOrDefault(1L, List.of()).contains("bob")), "bob's notice given up"));
    drain(harness.userProbe("bob"));
    retryDue(conversation);
    assertFalse(received(harness.userProbe("bob"), QUIET).contains(NOTICE), "told after it was given up");
  }

  @Test
  void aMemberWhoLeftOrJoinedAfterTheMessageIsNotOwedItsNotice() {
    String group = "g.notices";
    var conversation = spawn(group);
    Outcome<ConversationInfo> created =
        ask(conversation, reply -> new ConversationActor.Create("alice", "Climbing", List.of("bob", "carol"), reply));
    assertTrue(created.isOk());
    send(conversation, "alice", "a1");
    assertTrue(this.<Done>ask(conversation, reply -> new ConversationActor.AddMembers("alice", List.of("dave"), reply))
        .isOk());
    assertTrue(this.<Done>ask(conversation, reply -> new ConversationActor.Leave("carol", reply)).isOk());
    assertTrue(this.<Done>ask(conversation, reply -> new ConversationActor.Delete("alice", 1, reply)).isOk());
    UserActor.MessageDeleted notice = new UserActor.MessageDeleted(group, 1, "alice");
    for (String member : List.of("alice", "bob")) {
      harness.userProbe(member).fishForMessage(Duration.ofSeconds(5), message ->
          notice.equals(message) ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
      conversation.tell(new ConversationActor.DeletionNoticed(member, 1));
    }
    eventually(() -> assertTrue(stored(group, ConversationActor.DeletionNoticesSettled.class)));
    harness.clock.advance(Duration.ofSeconds(5));
    for (String notOwed : List.of("carol", "dave")) {
      assertFalse(received(harness.userProbe(notOwed), QUIET).contains(notice), "told " + notOwed);
    }
  }

  @Test
  void aDeletionRecordedBeforeNoticesWereConfirmedOwesNone() {
    var legacy = (ConversationActor.MessageDeleted) harness.readStored(
        ConversationActor.MessageDeleted.class.getName(), "{\"seq\":3,\"ts\":5}");
    assertNull(legacy.deletedBy());
    var state = new ConversationState.Active(null, List.of("alice", "bob"));
    ActiveMessages.messageDeleted(state, legacy);
    assertTrue(state.deleted.contains(3));
    assertTrue(state.deletionNoticesOwed.isEmpty(), "nothing owed on replaying an earlier version's event");

    ActiveMessages.messageDeleted(state, new ConversationActor.MessageDeleted(4, 5, "alice"));
    assertEquals(List.of("alice", "bob"), state.deletionNoticesOwed.owedTo(4, state.members));
    ActiveMessages.deletionNoticesSettled(state, Map.of(4L, List.of("alice")));
    assertEquals(List.of("bob"), state.deletionNoticesOwed.owedTo(4, state.members));
    var copy = (ConversationState.Active) harness.readStored(
        ConversationState.Active.class.getName(), harness.storedJson(state));
    assertEquals(List.of("bob"), copy.deletionNoticesOwed.owedTo(4, copy.members), "kept in the snapshot");
    ActiveMessages.deletionNoticesSettled(state, Map.of(4L, List.of("bob")));
    assertTrue(state.deletionNoticesOwed.isEmpty());

    // The confirmation comes from another node; the settled event is read back on recovery.
    for (Object crossing : List.of(new ConversationActor.DeletionNoticed("bob", 4),
        new ConversationActor.DeletionNoticesSettled(Map.of(4L, List.of("bob"))))) {
      assertEquals(crossing, harness.readStored(crossing.getClass().getName(), harness.storedJson(crossing)));
    }
  }
}
