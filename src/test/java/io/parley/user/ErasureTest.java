package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.parley.cluster.Done;
import io.parley.cluster.EventBatches;
import io.parley.cluster.Outcome;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.MessageIds;
import io.parley.push.PushToken;
import io.parley.testing.EntityHarness;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.DeleteEvents;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess$;
import org.apache.pekko.persistence.testkit.StorageFailure;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The user entity's erasure ({@link Erasure}) on Pekko's persistence testkit, conversations as probes. */
class ErasureTest {
  static final String DIRECT = "d:alice:bob";
  static final String GROUP = "g.climbing";

  EntityHarness harness;
  UserSettings settings;
  PersistenceTestKit journal;
  SnapshotTestKit snapshots;
  /** Every event the entity wrote, whether or not it is still stored (an erasure deletes them). */
  final List<Object> written = new CopyOnWriteArrayList<>();
  /** Deleting events fails while set, as a store that is down would. */
  volatile boolean deletesFail;
  TestProbe<ClusterSharding.ShardCommand> shard;
  /** The erasures of what the account keeps elsewhere, as asked; completed at once unless held. */
  final List<CompletableFuture<Object>> elsewhereErasures = new CopyOnWriteArrayList<>();
  volatile boolean holdElsewhere;
  /** What the member index lists for the user. */
  volatile List<String> indexed = List.of();
  final KeptElsewhere elsewhere = new KeptElsewhere() {
    @Override
    public CompletableFuture<Object> erase(String userId) {
      CompletableFuture<Object> erasing = new CompletableFuture<>();
      elsewhereErasures.add(erasing);
      if (!holdElsewhere) {
        erasing.complete(userId);
      }
      return erasing;
    }

    @Override
    public CompletableFuture<List<String>> conversations(String userId) {
      return CompletableFuture.completedFuture(indexed);
    }

    @Override
    public CompletableFuture<Object> forgetPushTokens(String userId, java.util.Collection<PushToken> tokens) {
      tokensForgotten.addAll(tokens);
      return CompletableFuture.completedFuture(null);
    }

    public CompletableFuture<Object> markErasing(String userId) {
      CompletableFuture<Object> marking = new CompletableFuture<>();
      markings.add(marking);
      if (!holdMarking) {
        marking.complete(userId);
      }
      return marking;
    }
  };
  /** The push tokens whose owner records were told to forget the user. */
  final List<PushToken> tokensForgotten = new CopyOnWriteArrayList<>();
  /** The account's marks as erasing, as asked; completed at once unless held. */
  final List<CompletableFuture<Object>> markings = new CopyOnWriteArrayList<>();
  volatile boolean holdMarking;

  @BeforeEach
  void setUp() {
    start("");
  }

  private void start(String overrides) {
    harness = new EntityHarness(ConfigFactory.parseString(overrides + "\nparley.user.snapshot-every = 5")
        .withFallback(ManualTime.config()).root().render());
    settings = UserSettings.from(harness.config);
    journal = PersistenceTestKit.create(harness.testKit.system());
    journal.withPolicy(new ProcessingPolicy<JournalOperation>() {
      @Override
      public ProcessingResult tryProcess(String persistenceId, JournalOperation operation) {
        if (operation instanceof WriteEvents write) {
          written.addAll(write.getBatch());
        }
        if (operation instanceof DeleteEvents && deletesFail) {
          return new StorageFailure(new IllegalStateException("the store is down"));
        }
        return ProcessingSuccess$.MODULE$;
      }
    });
    snapshots = SnapshotTestKit.create(harness.testKit.system());
    shard = harness.testKit.createTestProbe();
  }

  @AfterEach
  void tearDown() {
    harness.shutdown();
  }

  private ActorRef<UserActor.Command> spawn() {
    return harness.testKit.spawn(UserActor.create("bob", shard.ref(), harness, settings, push -> {}, elsewhere, harness.clock));
  }

  private ActorRef<UserActor.Command> restart(ActorRef<UserActor.Command> user) {
    user.tell(UserActor.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(user, Duration.ofSeconds(5));
    return spawn();
  }

  private void deliver(ActorRef<UserActor.Command> user, String conversationId, List<String> members, String sender) {
    long ts = harness.clock.millis();
    var info = new ConversationInfo(conversationId, conversationId.startsWith("g.") ? "Climbing" : null, members, 0);
    user.tell(new UserActor.Deliver(info, 0, List.of(
        new ChatMessage(conversationId, 1, MessageIds.of(conversationId, 1, ts), sender, "c1", "secret text", "text", ts))));
    harness.conversationProbe(conversationId).fishForMessage(Duration.ofSeconds(5), m ->
        m instanceof ConversationActor.HandedOff ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
  }

  private Erasure.Status erase(ActorRef<UserActor.Command> user) {
    TestProbe<Erasure.Status> status = harness.testKit.createTestProbe();
    user.tell(new UserActor.Erase(status.ref()));
    return status.receiveMessage(Duration.ofSeconds(5));
  }

  private ConversationActor.EraseMember eraseAsked(String conversationId) {
    return (ConversationActor.EraseMember) harness.conversationProbe(conversationId).fishForMessage(Duration.ofSeconds(5),
        m -> m instanceof ConversationActor.EraseMember ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore())
        .get(0);
  }

  private void eventually(Runnable check) {
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      check.run();
      return null;
    });
  }

  /** Everything the probe receives until it has been quiet for a while. */
  private static <T> List<T> received(TestProbe<T> probe) {
    return receivedWithin(probe, Duration.ofMillis(300));
  }

  private static <T> List<T> receivedWithin(TestProbe<T> probe, Duration quiet) {
    return EntityHarness.received(probe, quiet);
  }

  /** Events of {@code type} the entity stored, counting those its erasure deleted since. */
  private long persisted(Class<?> type) {
    return written.stream()
        .flatMap(e -> EventBatches.unbatched(e).stream())
        .filter(type::isInstance)
        .count();
  }

  private List<Object> stillStored() {
    return journal.persistedInStorage(UserActor.persistenceId("bob").id());
  }

  private UserActor.ExportData export(ActorRef<UserActor.Command> user) {
    TestProbe<UserActor.ExportData> export = harness.testKit.createTestProbe();
    user.tell(new UserActor.GetExport(export.ref()));
    return export.receiveMessage(Duration.ofSeconds(5));
  }

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
    erase(bob);
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

  @Test
  void anErasedSendersMessageNoLongerShowsAsTheInboxPreview() {
    var bob = spawn();
    deliver(bob, DIRECT, List.of("alice", "bob"), "alice");
    bob.tell(new UserActor.SenderErased(DIRECT, "carol", 5));
    sync(bob);
    assertEquals("secret text", inbox(bob).get(0).lastMessagePreview(), "another sender's erasure");
    bob.tell(new UserActor.SenderErased(DIRECT, "alice", 1));
    sync(bob);
    assertEquals("", inbox(bob).get(0).lastMessagePreview());
    assertEquals("", inbox(restart(bob)).get(0).lastMessagePreview(), "stored");
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
    user.tell(new UserActor.GetInbox(20, null, inbox.ref()));
    return inbox.receiveMessage(Duration.ofSeconds(5)).value().items();
  }
}
