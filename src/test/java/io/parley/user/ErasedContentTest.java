package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.push.PushToken;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * What is left of an erased account: in its entity's journal and snapshots only the erasure record
 * (the journal erased again after a restart if it was not yet), and in the inboxes of those it
 * wrote to no preview of its messages.
 */
class ErasedContentTest extends ErasureFixture {
  @Test
  void anErasedSendersMessageNoLongerShowsAsTheInboxPreview() {
    var bob = spawn();
    deliver(bob, DIRECT, List.of("alice", "bob"), "alice");
    bob.tell(new UserActor.SenderErased(DIRECT, "carol", 5));
    sync(bob);
    assertEquals("secret text", inbox(bob).get(0).lastMessagePreview(), "another sender's erasure");
    bob.tell(new UserActor.SenderErased(DIRECT, "alice", 1));
    sync(bob);
    assertEquals("[deleted]", inbox(bob).get(0).lastMessagePreview());
    assertEquals("[deleted]", inbox(restart(bob)).get(0).lastMessagePreview(), "stored");
  }

  @Test
  void onceDoneTheEntitysJournalAndSnapshotsHoldNothingOfTheAccountButTheErasureRecord() {
    var bob = spawn();
    deliver(bob, DIRECT, List.of("alice", "bob"), "alice");
    deliver(bob, GROUP, List.of("alice", "bob", "carol"), "carol");
    TestProbe<Outcome<Done>> registered = harness.testKit.createTestProbe();
    bob.tell(new UserActor.RegisterPushToken(new PushToken("fcm", "push-token-of-bob"), registered.ref()));
    assertTrue(registered.receiveMessage().isOk());
    bob.tell(new UserActor.RegisterPushToken(new PushToken("fcm", "former-token-of-bob"), registered.ref()));
    assertTrue(registered.receiveMessage().isOk());
    bob.tell(new UserActor.UnregisterPushToken(new PushToken("fcm", "former-token-of-bob"), registered.ref()));
    assertTrue(registered.receiveMessage().isOk());
    long lastCursor = connect(bob, "phone-of-bob").lastCursor();
    String pid = UserActor.persistenceId("bob").id();
    eventually(() -> assertFalse(snapshots.persistedInStorage(pid).isEmpty(), "a snapshot holds the account"));
    assertTrue(storedText().contains("push-token-of-bob"), "the scan finds the token before: " + storedText());

    Erasure.Status started = erase(bob);
    eraseAsked(DIRECT).replyTo().tell(Outcome.ok(Done.INSTANCE));
    eraseAsked(GROUP).replyTo().tell(Outcome.ok(Done.INSTANCE));
    var erasing = bob;
    eventually(() -> assertTrue(erase(erasing).done()));

    for (Object event : stillStored()) {
      assertTrue(event instanceof UserActor.EraseFinished || event instanceof UserActor.JournalErased,
          "only the erasure record is left: " + stillStored());
    }
    assertEquals(List.of(new PushToken("fcm", "push-token-of-bob")), tokensForgotten, "its owner record forgets bob");
    String left = storedText();
    for (String trace : List.of("push-token-of-bob", "former-token-of-bob", "phone-of-bob", "alice", "carol", "secret text", GROUP, DIRECT)) {
      assertFalse(left.contains(trace), trace + " is still stored: " + left);
    }

    bob = restart(bob); // recovered from the erasure record alone
    Erasure.Status done = erase(bob);
    assertTrue(done.done());
    assertEquals(started.requestedTs(), done.requestedTs());
    assertTrue(connect(bob, "new-phone").lastCursor() >= lastCursor, "cursors never go back");
    assertEquals(1, persisted(UserActor.EraseRequested.class));
  }

  @Test
  void theJournalIsErasedAgainAfterARestartIfItWasNotYet() {
    var bob = spawn();
    deliver(bob, DIRECT, List.of("alice", "bob"), "alice");
    deletesFail = true;
    erase(bob);
    eraseAsked(DIRECT).replyTo().tell(Outcome.ok(Done.INSTANCE));
    eventually(() -> assertEquals(1, persisted(UserActor.EraseFinished.class)));
    var failing = bob;
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertFalse(erase(failing).done(), "not done while its journal is not erased");
      assertTrue(stillStored().stream().anyMatch(UserActor.EraseRequested.class::isInstance));
      return null;
    });
    deletesFail = false;
    bob = restart(bob);
    var resumed = bob;
    eventually(() -> assertTrue(erase(resumed).done()));
    assertTrue(stillStored().stream().allMatch(event -> event instanceof UserActor.EraseFinished
        || event instanceof UserActor.JournalErased), stillStored().toString());
  }

  private List<Object> stillStored() {
    return journal.persistedInStorage(UserActor.persistenceId("bob").id());
  }

  private UserActor.Connected connect(ActorRef<UserActor.Command> user, String deviceId) {
    TestProbe<DeviceEvent> device = harness.testKit.createTestProbe();
    TestProbe<UserActor.Connected> connected = harness.testKit.createTestProbe();
    user.tell(new UserActor.Connect(deviceId, device.ref(), connected.ref()));
    return connected.receiveMessage(Duration.ofSeconds(5));
  }

  /** The stored events and snapshots of the user, as stored (JSON). */
  private String storedText() {
    String pid = UserActor.persistenceId("bob").id();
    StringBuilder text = new StringBuilder();
    stillStored().forEach(event -> text.append(harness.storedJson(event)).append('\n'));
    snapshots.persistedInStorage(pid).forEach(snapshot -> text.append(harness.storedJson(snapshot.second())).append('\n'));
    return text.toString();
  }

  private void sync(ActorRef<UserActor.Command> user) {
    TestProbe<Outcome<Done>> stored = harness.testKit.createTestProbe();
    user.tell(new UserActor.Sync(null, 0, stored.ref()));
    stored.expectMessage(Duration.ofSeconds(5), Outcome.ok(Done.INSTANCE));
  }

  private List<InboxItem> inbox(ActorRef<UserActor.Command> user) {
    TestProbe<Outcome<UserActor.InboxPage>> inbox = harness.testKit.createTestProbe();
    user.tell(new UserActor.GetInbox(20, null, null, inbox.ref()));
    return inbox.receiveMessage(Duration.ofSeconds(5)).value().items();
  }
}
