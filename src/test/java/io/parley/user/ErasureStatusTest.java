package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * What the entity answers about its erasure when asked again (Erase) or woken by the resumer
 * (ResumeErasure): the status it holds, without starting a second erasure or a first one.
 */
class ErasureStatusTest extends ErasureFixture {
  @Test
  void askingAgainWhileItRunsChangesNothing() {
    var bob = spawn();
    deliver(bob, GROUP, List.of("alice", "bob"), "alice");
    Erasure.Status first = erase(bob);
    Erasure.Status second = erase(bob);
    assertEquals(first, second);
    assertFalse(second.done());
    var asked = eraseAsked(GROUP);
    assertFalse(received(harness.conversationProbe(GROUP)).stream()
        .anyMatch(ConversationActor.EraseMember.class::isInstance), "the conversation is asked once");
    asked.replyTo().tell(Outcome.ok(Done.INSTANCE));
    eventually(() -> assertTrue(erase(bob).done()));
    assertEquals(1, persisted(UserActor.EraseRequested.class));
  }

  /** The answer, as the resumer gets it from another node: through the serializer. */
  private Erasure.Resumed resume(ActorRef<UserActor.Command> user) {
    TestProbe<Erasure.Resumed> resumed = harness.testKit.createTestProbe();
    user.tell(new UserActor.ResumeErasure(resumed.ref()));
    Erasure.Resumed answer = resumed.receiveMessage(Duration.ofSeconds(5));
    return (Erasure.Resumed) harness.readStored(Erasure.Resumed.class.getName(), harness.storedJson(answer));
  }

  @Test
  void resumingAUserNeverErasedStartsNothingAndSaysNoneWasRequested() {
    var bob = spawn();
    deliver(bob, DIRECT, List.of("alice", "bob"), "alice");
    Erasure.Resumed resumed = resume(bob);
    assertNull(resumed.status(), "no erasure: " + resumed);
    assertTrue(resumed.settled());
    assertEquals(0, persisted(UserActor.EraseRequested.class));
    assertFalse(received(harness.conversationProbe(DIRECT)).stream()
        .anyMatch(ConversationActor.EraseMember.class::isInstance), "no conversation is asked");
    assertEquals(List.of(DIRECT), export(bob).conversations(), "nothing is erased");
  }

  @Test
  void anErasureCutShortIsReportedUnderWayWhenTheEntityIsWokenAndDoneOnceItHasResumed() {
    var bob = spawn();
    deliver(bob, DIRECT, List.of("alice", "bob"), "alice");
    deliver(bob, GROUP, List.of("alice", "bob", "carol"), "carol");
    Erasure.Status started = erase(bob);
    eraseAsked(DIRECT).replyTo().tell(Outcome.ok(Done.INSTANCE));
    eraseAsked(GROUP); // not answered: the entity stops before it is
    eventually(() -> assertEquals(1, persisted(UserActor.ConversationErased.class)));

    bob = restart(bob);
    Erasure.Resumed underWay = resume(bob);
    assertEquals(new Erasure.Status(false, started.requestedTs(), 0), underWay.status());
    assertFalse(underWay.settled());
    eraseAsked(GROUP).replyTo().tell(Outcome.ok(Done.INSTANCE)); // asked again by the recovered entity
    var resumed = bob;
    eventually(() -> assertTrue(resume(resumed).settled()));
    Erasure.Status done = resume(bob).status();
    assertTrue(done.done());
    assertEquals(started.requestedTs(), done.requestedTs());
    assertEquals(1, persisted(UserActor.EraseRequested.class));
    assertEquals(1, persisted(UserActor.EraseFinished.class));
  }

  @Test
  void resumingAFinishedErasureStartsNoOtherEvenWithSomethingStoredSince() {
    var bob = spawn();
    deliver(bob, DIRECT, List.of("alice", "bob"), "alice");
    erase(bob);
    eraseAsked(DIRECT).replyTo().tell(Outcome.ok(Done.INSTANCE));
    var erasing = bob;
    eventually(() -> assertTrue(resume(erasing).settled()));
    Erasure.Status done = resume(bob).status();
    deliver(bob, GROUP, List.of("alice", "bob"), "alice"); // what a second Erase would erase

    assertEquals(done, resume(bob).status());
    assertEquals(done, resume(restart(bob)).status());
    assertEquals(1, persisted(UserActor.EraseRequested.class));
    assertFalse(received(harness.conversationProbe(GROUP)).stream()
        .anyMatch(ConversationActor.EraseMember.class::isInstance), "the new conversation is not erased");
  }
}
