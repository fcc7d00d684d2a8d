package io.parley.user;

import static io.parley.testing.LateResults.assertLoggableDeadLetterTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.EventBatches;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.push.PushToken;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * The steps of an erasure and their order: the account marked erasing first, then every
 * conversation it knows or the member index lists (recorded in pages), then its key and media
 * last; a failed step retried, and a stopped erasure going on where it was.
 */
class ErasureStepsTest extends ErasureFixture {
  @Test
  void anErasureStoppedHalfWayResumesWhereItWasAndEndsWithNothingButTheMarker() {
    var bob = spawn();
    deliver(bob, DIRECT, List.of("alice", "bob"), "alice");
    deliver(bob, GROUP, List.of("alice", "bob", "carol"), "carol");
    TestProbe<Outcome<Done>> registered = harness.testKit.createTestProbe();
    bob.tell(new UserActor.RegisterPushToken(new PushToken("fcm", "token-1"), registered.ref()));
    assertTrue(registered.receiveMessage().isOk());
    TestProbe<DeviceEvent> phone = harness.testKit.createTestProbe();
    TestProbe<UserActor.Connected> connected = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Connect("phone", phone.ref(), connected.ref()));
    connected.receiveMessage(Duration.ofSeconds(5));

    Erasure.Status started = erase(bob);
    assertFalse(started.done());
    phone.fishForMessage(Duration.ofSeconds(5), e ->
        e instanceof DeviceEvent.Replaced ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    eraseAsked(DIRECT).replyTo().tell(Outcome.ok(Done.INSTANCE));
    eraseAsked(GROUP); // not answered: the entity stops before it is
    eventually(() -> assertEquals(1, persisted(UserActor.ConversationErased.class)));

    bob = restart(bob);
    eraseAsked(GROUP).replyTo().tell(Outcome.ok(Done.INSTANCE));
    var resumed = bob;
    eventually(() -> assertTrue(erase(resumed).done()));
    assertFalse(received(harness.conversationProbe(DIRECT)).stream()
        .anyMatch(ConversationActor.EraseMember.class::isInstance), "a conversation recorded as done is not asked again");

    Erasure.Status done = erase(bob);
    assertEquals(started.requestedTs(), done.requestedTs());
    bob = restart(bob);
    UserActor.ExportData left = export(bob);
    assertEquals(List.of(), left.inbox());
    assertEquals(List.of(), left.conversations());
    assertEquals(List.of(), left.pushTokens());
    assertTrue(left.devices().isEmpty());
    assertEquals(0, left.lastSeen());
    assertEquals(done, erase(bob), "asked again once done: the same answer");
    assertEquals(1, persisted(UserActor.EraseRequested.class));
    assertEquals(1, persisted(UserActor.EraseFinished.class));
    assertEquals(1, elsewhereErasures.size(), "the key and media are erased once, before finishing");
  }

  @Test
  void theAccountIsMarkedErasingBeforeAnythingElseAgainAfterARestartAndItsKeyGoesLast() {
    holdMarking = true;
    var bob = spawn();
    deliver(bob, GROUP, List.of("alice", "bob"), "alice");
    long requested = erase(bob).requestedTs();
    eventually(() -> assertEquals(1, markings.size()));
    assertFalse(received(harness.conversationProbe(GROUP)).stream()
        .anyMatch(ConversationActor.EraseMember.class::isInstance), "no conversation is asked before the mark");

    markings.get(0).completeExceptionally(new IllegalStateException("DynamoDB is down"));
    ManualTime time = ManualTime.get(harness.testKit.system());
    eventually(() -> {
      time.timePasses(Erasure.RETRY_AFTER);
      assertEquals(2, markings.size());
    });
    holdMarking = false;
    markings.get(1).complete("bob");
    eraseAsked(GROUP); // not answered: the entity stops before it is
    bob = restart(bob);
    eventually(() -> assertEquals(3, markings.size(), "a restart marks again before going on"));
    assertEquals(List.of(requested, requested, requested), markedFor,
        "each mark names the erasure's request, so that the first mark's time stands");
    eraseAsked(GROUP).replyTo().tell(Outcome.ok(Done.INSTANCE));
    var resumed = bob;
    eventually(() -> assertTrue(erase(resumed).done()));
    assertEquals(1, elsewhereErasures.size(), "the key last, once");
  }

  @Test
  void conversationsOnlyTheMemberIndexKnowsAreErasedToo() {
    indexed = List.of(GROUP, "g.left-long-ago");
    var bob = spawn();
    deliver(bob, GROUP, List.of("alice", "bob"), "alice");
    erase(bob);
    eraseAsked(GROUP).replyTo().tell(Outcome.ok(Done.INSTANCE));
    eraseAsked("g.left-long-ago").replyTo().tell(Outcome.ok(Done.INSTANCE));
    eraseAsked(GROUP).replyTo().tell(Outcome.ok(Done.INSTANCE)); // asked again: it answers at once
    eventually(() -> assertTrue(erase(bob).done()));
    assertEquals(1, persisted(UserActor.ConversationsFound.class), "the index is read once");
  }

  @Test
  void itFinishesOnlyOnceTheKeyAndMediaAreErasedRetryingAFailure() {
    holdElsewhere = true;
    var bob = spawn();
    deliver(bob, GROUP, List.of("alice", "bob"), "alice");
    erase(bob);
    eraseAsked(GROUP).replyTo().tell(Outcome.ok(Done.INSTANCE));
    eventually(() -> assertEquals(1, elsewhereErasures.size()));
    assertFalse(erase(bob).done(), "not done while the key and media are being erased");
    elsewhereErasures.get(0).completeExceptionally(new IllegalStateException("S3 is down"));
    ManualTime time = ManualTime.get(harness.testKit.system());
    eventually(() -> {
      time.timePasses(Erasure.RETRY_AFTER);
      assertEquals(2, elsewhereErasures.size());
    });
    assertFalse(erase(bob).done());
    elsewhereErasures.get(1).complete("bob");
    eventually(() -> assertTrue(erase(bob).done()));
    assertEquals(1, persisted(UserActor.EraseFinished.class));
  }

  @Test
  void aMarkThatEndsAfterTheEntityStoppedIsADeadLetterPekkoCanLog() {
    holdMarking = true;
    TestProbe<DeadLetter> deadLetters = harness.testKit.createDeadLetterProbe();
    var bob = spawn();
    erase(bob);
    eventually(() -> assertEquals(1, markings.size()));
    stop(bob);
    markings.get(0).complete(null); // as ContentKeys.markErasing ends
    assertLoggableDeadLetterTo(bob, deadLetters);
  }

  @Test
  void aKeyErasureThatEndsAfterTheEntityStoppedIsADeadLetterPekkoCanLog() {
    holdElsewhere = true;
    TestProbe<DeadLetter> deadLetters = harness.testKit.createDeadLetterProbe();
    var bob = spawn();
    erase(bob);
    eventually(() -> assertEquals(1, elsewhereErasures.size()));
    stop(bob);
    elsewhereErasures.get(0).complete(null); // as the node's erasure ends (DynamoDbMemberIndex.forget)
    assertLoggableDeadLetterTo(bob, deadLetters);
  }

  private void stop(ActorRef<UserActor.Command> user) {
    user.tell(UserActor.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(user, Duration.ofSeconds(5));
  }

  @Test
  void theConversationsToLeaveAreRecordedInPagesOfTheSetSize() {
    harness.shutdown();
    start("parley.user.erasure-page-size = 2");
    List<String> known = List.of("g.k1", "g.k2", "g.k3", "g.k4", "g.k5");
    indexed = List.of("g.i1", "g.i2", "g.k3", "g.i3", "g.i4");
    var bob = spawn();
    for (String group : known) {
      deliver(bob, group, List.of("alice", "bob"), "alice");
    }
    erase(bob);
    java.util.TreeSet<String> expected = new java.util.TreeSet<>(known);
    expected.addAll(indexed);
    java.util.Set<String> answered = new java.util.HashSet<>();
    int answers = 0;
    boolean restarted = false;
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!answered.containsAll(expected)) {
      assertTrue(System.nanoTime() < deadline, "asked so far: " + answered);
      answers += answerEraseMember(expected, answered);
      if (!restarted && answers >= 3) {
        bob = restart(bob); // half-way through the pages: it goes on where it was
        restarted = true;
      }
    }
    var erasing = bob;
    eventually(() -> {
      // A conversation answered just before the restart may be asked again (its answer went to
      // the stopped entity): the conversations go on answering, as real ones do.
      answerEraseMember(expected, answered);
      assertTrue(erase(erasing).done());
    });
    for (Object stored : written) {
      for (Object event : EventBatches.unbatched(stored)) {
        List<String> conversations = event instanceof UserActor.EraseRequested e ? e.conversations()
            : event instanceof UserActor.MoreConversationsKnown e ? e.conversations()
            : event instanceof UserActor.ConversationsFound e ? e.conversations() : List.of();
        assertTrue(conversations.size() <= 2, "a page holds at most 2: " + event);
      }
    }
    assertEquals(3, persisted(UserActor.ConversationsFound.class), "the index is read in 3 pages");
    assertEquals(2, persisted(UserActor.MoreConversationsKnown.class), "the entity's own in 3, the first one requested");
  }

  /** Each of {@code conversations} answers the EraseMember asks it got; how many it answered. */
  private int answerEraseMember(java.util.Set<String> conversations, java.util.Set<String> answered) {
    int answers = 0;
    for (String id : conversations) {
      for (ConversationActor.Command asked : receivedWithin(harness.conversationProbe(id), Duration.ofMillis(20))) {
        if (asked instanceof ConversationActor.EraseMember erase) {
          erase.replyTo().tell(Outcome.ok(Done.INSTANCE));
          answered.add(id);
          answers++;
        }
      }
    }
    return answers;
  }
}
