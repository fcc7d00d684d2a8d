package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.EventBatches;
import io.parley.testing.EntityHarness;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ConversationActor's command and event logic on Pekko's persistence testkit. */
class ConversationActorTest {
  EntityHarness harness;
  ConversationSettings settings;
  PersistenceTestKit journal;
  TestProbe<ClusterSharding.ShardCommand> shard;

  @BeforeEach
  void setUp() {
    String overrides = "parley.conversation { handoff-retry-interval = 100ms, max-buffered-sends = 50, snapshot-every = 3 }";
    harness = new EntityHarness(overrides);
    settings = ConversationSettings.from(harness.config);
    journal = PersistenceTestKit.create(harness.testKit.system());
    shard = harness.testKit.createTestProbe();
  }

  @AfterEach
  void tearDown() {
    harness.shutdown();
  }

  private ActorRef<ConversationActor.Command> spawn(String conversationId) {
    return harness.testKit.spawn(harness.conversationActor(conversationId, shard.ref(), settings));
  }

  private Outcome<ConversationActor.SendAck> send(
      ActorRef<ConversationActor.Command> conversation, String sender, String clientMsgId) {
    TestProbe<Outcome<ConversationActor.SendAck>> reply = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Send(sender, clientMsgId, "content of " + clientMsgId, "text", reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(5));
  }

  private void stopAndAwait(ActorRef<ConversationActor.Command> conversation) {
    conversation.tell(ConversationActor.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(conversation, Duration.ofSeconds(5));
  }

  private Outcome<Done> delete(ActorRef<ConversationActor.Command> conversation, String userId, long seq) {
    TestProbe<Outcome<Done>> reply = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Delete(userId, seq, reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(5));
  }

  /** Messages {@code from..to} as readers get them: located by the conversation, read from the journal. */
  private List<ChatMessage> read(ActorRef<ConversationActor.Command> conversation, long from, long to) {
    TestProbe<Outcome<ConversationActor.Location>> located = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.LocateMessages("alice", to + 1, (int) (to - from + 1), located.ref()));
    return new MessageReader(harness.journal(), harness.coldTier())
        .read("d:alice:bob", located.receiveMessage(Duration.ofSeconds(5)).value()).toCompletableFuture().join();
  }

  @Test
  void aSenderDeletesTheirMessageForEveryoneAndItReadsAsATombstone() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    send(conversation, "bob", "c2");
    assertEquals(Outcome.Reason.BAD_REQUEST, delete(conversation, "bob", 1).reason(), "only alice may delete hers");
    assertEquals(Outcome.Reason.NOT_FOUND, delete(conversation, "alice", 3).reason());
    assertEquals(Outcome.Reason.NOT_MEMBER, delete(conversation, "carol", 1).reason());
    assertTrue(delete(conversation, "alice", 1).isOk());
    for (String member : List.of("alice", "bob")) {
      harness.userProbe(member).fishForMessage(Duration.ofSeconds(5), told ->
          told.equals(new UserActor.MessageDeleted("d:alice:bob", 1, "alice"))
              ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    }
    List<ChatMessage> read = read(conversation, 1, 2);
    ChatMessage tombstone = read.get(0);
    assertEquals(List.of(1L, "alice", "", ChatMessage.DELETED),
        List.of(tombstone.seq(), tombstone.senderId(), tombstone.content(), tombstone.contentType()));
    assertEquals("content of c2", read.get(1).content(), "the other message is untouched");

    assertTrue(delete(conversation, "alice", 1).isOk(), "deleting again answers the same");
    long deletions = journal.persistedInStorage(ConversationActor.persistenceId("d:alice:bob").id()).stream()
        .flatMap(e -> EventBatches.unbatched(e).stream())
        .filter(ConversationActor.MessageDeleted.class::isInstance)
        .count();
    assertEquals(1, deletions);
    stopAndAwait(conversation);
    assertEquals(ChatMessage.DELETED, read(spawn("d:alice:bob"), 1, 1).get(0).contentType(), "after recovery too");
  }

  private Outcome<Done> eraseMember(ActorRef<ConversationActor.Command> conversation, String userId) {
    TestProbe<Outcome<Done>> reply = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.EraseMember(userId, reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(5));
  }

  private List<ChatMessage> readAs(
      String reader, String conversationId, ActorRef<ConversationActor.Command> conversation, long from, long to) {
    TestProbe<Outcome<ConversationActor.Location>> located = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.LocateMessages(reader, to + 1, (int) (to - from + 1), located.ref()));
    return new MessageReader(harness.journal(), harness.coldTier())
        .read(conversationId, located.receiveMessage(Duration.ofSeconds(5)).value()).toCompletableFuture().join();
  }

  @Test
  void anErasedMemberLeavesAndEveryMessageTheySentReadsAsATombstone() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    TestProbe<Outcome<ConversationInfo>> created = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Create("alice", "Climbing", List.of("bob", "carol"), created.ref()));
    assertTrue(created.receiveMessage().isOk());
    send(conversation, "alice", "a1");
    send(conversation, "bob", "b1");
    send(conversation, "alice", "a2");

    assertTrue(eraseMember(conversation, "alice").isOk());
    for (String member : List.of("bob", "carol")) {
      assertEquals(new UserActor.SenderErased(group, "alice", 3), next(member, UserActor.SenderErased.class));
    }
    List<ChatMessage> read = readAs("bob", group, conversation, 1, 3);
    assertEquals(List.of(1L, 2L, 3L), read.stream().map(ChatMessage::seq).toList(), "seq stays gapless");
    assertEquals(List.of(ChatMessage.DELETED, "text", ChatMessage.DELETED),
        read.stream().map(ChatMessage::contentType).toList());
    assertEquals(List.of("", "content of b1", ""), read.stream().map(ChatMessage::content).toList());
    TestProbe<Outcome<ConversationInfo>> info = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.GetInfo(null, info.ref()));
    assertEquals(List.of("bob", "carol"), info.receiveMessage().value().members());
    assertEquals(Outcome.Reason.NOT_MEMBER, send(conversation, "alice", "a3").reason(), "she left");

    // Erasing again records nothing; a later message by another member is untouched.
    assertTrue(eraseMember(conversation, "alice").isOk());
    send(conversation, "bob", "b2");
    assertEquals("content of b2", readAs("bob", group, conversation, 4, 4).get(0).content());
    long erasures = journal.persistedInStorage(ConversationActor.persistenceId(group).id()).stream()
        .flatMap(e -> EventBatches.unbatched(e).stream())
        .filter(ConversationActor.MemberErased.class::isInstance)
        .count();
    assertEquals(1, erasures);
    stopAndAwait(conversation);
    assertEquals(ChatMessage.DELETED, readAs("carol", group, spawn(group), 1, 1).get(0).contentType(), "after recovery too");
  }

  @Test
  void anErasedMemberOfADirectConversationStaysAMemberWithTheirMessagesTombstones() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "a1");
    send(conversation, "bob", "b1");
    assertTrue(eraseMember(conversation, "alice").isOk());
    assertEquals(new UserActor.SenderErased("d:alice:bob", "alice", 2), next("bob", UserActor.SenderErased.class));
    List<ChatMessage> read = readAs("bob", "d:alice:bob", conversation, 1, 2);
    assertEquals(List.of(ChatMessage.DELETED, "text"), read.stream().map(ChatMessage::contentType).toList());
    // The same id may talk again: what it sends from now on is not erased.
    assertEquals(3, send(conversation, "alice", "a2").value().seq());
    assertEquals("content of a2", readAs("bob", "d:alice:bob", conversation, 3, 3).get(0).content());
    // ...and reads only what came after the erasure, not the old account's history with bob.
    assertEquals(List.of(3L), readAs("alice", "d:alice:bob", conversation, 1, 3).stream().map(ChatMessage::seq).toList());
    TestProbe<Outcome<ConversationActor.Location>> located = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.LocateMessages("alice", 3, 10, located.ref()));
    ConversationActor.Location before = located.receiveMessage(Duration.ofSeconds(5)).value();
    assertTrue(before.fromSeq() > before.toSeq(), "nothing before seq 3 is alice's now: " + before);
    assertFalse(before.hasEarlier());
    conversation.tell(new ConversationActor.LocateMessages("bob", 3, 10, located.ref()));
    assertEquals(1, located.receiveMessage(Duration.ofSeconds(5)).value().fromSeq(), "bob still reads it all");
  }

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

  @Test
  void messagesAreHandedToEveryMemberAndResentUntilConfirmed() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    var deliver = (UserActor.Deliver) harness.userProbe("bob").receiveMessage();
    assertEquals(1, deliver.messages().size());
    assertEquals("content of c1", deliver.messages().get(0).content());
    assertEquals(0, deliver.since());
    harness.userProbe("alice").expectMessageClass(UserActor.Deliver.class);

    // Alice's UserActor confirms; bob's does not: only bob's is re-sent, read back from the journal.
    conversation.tell(new ConversationActor.HandedOff("alice", 1, 0));
    awaitProcessed(conversation);
    harness.clock.advance(Duration.ofSeconds(1));
    var resent = (UserActor.Deliver) harness.userProbe("bob").receiveMessage(Duration.ofSeconds(5));
    assertEquals(deliver.messages(), resent.messages());
    harness.userProbe("alice").expectNoMessage(Duration.ofMillis(300));

    reportHandedOff(conversation, "bob", 1);
    harness.clock.advance(Duration.ofSeconds(1));
    harness.userProbe("bob").expectNoMessage(Duration.ofMillis(400));
  }

  @Test
  void aMemberReportingLessThanItConfirmedGetsTheRestAgain() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    send(conversation, "alice", "c2");
    for (String member : List.of("alice", "bob")) {
      harness.userProbe(member).expectMessageClass(UserActor.Deliver.class);
      harness.userProbe(member).expectMessageClass(UserActor.Deliver.class);
    }
    conversation.tell(new ConversationActor.HandedOff("alice", 2, 0));
    reportHandedOff(conversation, "bob", 2);
    harness.clock.advance(Duration.ofMillis(150));
    harness.userProbe("bob").expectNoMessage(Duration.ofMillis(300));

    // Bob's UserActor answers a hand-off with "stored through 1": it lost seq 2 after confirming it.
    reportHandedOff(conversation, "bob", 1);
    harness.clock.advance(Duration.ofMillis(150));
    var resent = (UserActor.Deliver) harness.userProbe("bob").receiveMessage(Duration.ofSeconds(5));
    assertEquals(List.of(2L), resent.messages().stream().map(ChatMessage::seq).toList());
    harness.userProbe("alice").expectNoMessage(Duration.ofMillis(300));

    reportHandedOff(conversation, "bob", 2);
    harness.clock.advance(Duration.ofSeconds(1));
    harness.userProbe("bob").expectNoMessage(Duration.ofMillis(400));
  }

  @Test
  void retriesToAMemberThatDoesNotConfirmBackOff() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    harness.userProbe("bob").expectMessageClass(UserActor.Deliver.class);
    conversation.tell(new ConversationActor.HandedOff("alice", 1, 0));
    awaitProcessed(conversation);
    // Retry interval 100 ms: the first retry is due 100 ms after the hand-off, the next 200 ms
    // after that one, then 400 ms.
    harness.clock.advance(Duration.ofMillis(150));
    harness.userProbe("bob").expectMessageClass(UserActor.Deliver.class, Duration.ofSeconds(5));
    harness.clock.advance(Duration.ofMillis(150));
    harness.userProbe("bob").expectNoMessage(Duration.ofMillis(400));
    harness.clock.advance(Duration.ofMillis(100));
    harness.userProbe("bob").expectMessageClass(UserActor.Deliver.class, Duration.ofSeconds(5));
    harness.clock.advance(Duration.ofMillis(300));
    harness.userProbe("bob").expectNoMessage(Duration.ofMillis(400));
    // A confirmation resets it: once bob falls behind again, the retry comes after 100 ms.
    conversation.tell(new ConversationActor.HandedOff("bob", 1, 0));
    send(conversation, "alice", "c2");
    harness.userProbe("bob").expectMessageClass(UserActor.Deliver.class);
    harness.clock.advance(Duration.ofMillis(150));
    harness.userProbe("bob").expectMessageClass(UserActor.Deliver.class, Duration.ofSeconds(5));
  }

  @Test
  void afterARestartUnconfirmedHandOffsAreResent() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    send(conversation, "alice", "c2");
    conversation.tell(new ConversationActor.HandedOff("alice", 2, 0));
    harness.clock.advance(Duration.ofSeconds(1));
    // Wait until alice's confirmation is persisted (the tick writes it).
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertTrue(journal.persistedInStorage(ConversationActor.persistenceId("d:alice:bob").id()).stream()
          .flatMap(e -> EventBatches.unbatched(e).stream())
          .anyMatch(e -> e instanceof ConversationActor.HandoffsConfirmed));
      return null;
    });
    stopAndAwait(conversation);
    drain(harness.userProbe("bob"));
    drain(harness.userProbe("alice"));

    spawn("d:alice:bob");
    harness.clock.advance(Duration.ofSeconds(1));
    var resent = (UserActor.Deliver) harness.userProbe("bob").receiveMessage(Duration.ofSeconds(5));
    assertEquals(List.of(1L, 2L), resent.messages().stream().map(ChatMessage::seq).toList());
    harness.userProbe("alice").expectNoMessage(Duration.ofMillis(400));
  }

  @Test
  void receiptsGoToTheSendersOncePerMemberSeqAndStatusEvenAcrossRestarts() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    send(conversation, "alice", "c2");
    drain(harness.userProbe("alice"));
    conversation.tell(new ConversationActor.Delivered("bob", 2));
    var receipt = (UserActor.DeliverReceipt) harness.userProbe("alice").receiveMessage();
    assertEquals(new UserActor.DeliverReceipt("d:alice:bob", 2, "bob", ReceiptStatus.DELIVERED), receipt);
    conversation.tell(new ConversationActor.Delivered("bob", 2));
    conversation.tell(new ConversationActor.Delivered("bob", 1));
    conversation.tell(new ConversationActor.Read("bob", 2));
    var read = (UserActor.DeliverReceipt) harness.userProbe("alice").receiveMessage();
    assertEquals(ReceiptStatus.READ, read.status());

    stopAndAwait(conversation);
    var restarted = spawn("d:alice:bob");
    restarted.tell(new ConversationActor.Delivered("bob", 2));
    restarted.tell(new ConversationActor.Read("bob", 2));
    // Alice's UserActor never confirmed its hand-off, so it may be sent the messages again, but
    // no receipt is repeated.
    assertTrue(received(harness.userProbe("alice"), Duration.ofMillis(500)).stream()
        .noneMatch(m -> m instanceof UserActor.DeliverReceipt));
  }

  @Test
  void aReceiptForOnesOwnMessagesWaitsForTheNextWriteOrTheTick() {
    var conversation = spawn("d:alice:bob");
    send(conversation, "alice", "c1");
    String pid = ConversationActor.persistenceId("d:alice:bob").id();
    // Its start is written to the member index, then recorded as settled: a write of its own.
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertTrue(journal.persistedInStorage(pid).stream().flatMap(e -> EventBatches.unbatched(e).stream())
          .anyMatch(ConversationActor.MembershipSettled.class::isInstance));
      return null;
    });
    int writes = journal.persistedInStorage(pid).size();
    // Alice's devices acking her own message tell nobody anything: no write of its own.
    conversation.tell(new ConversationActor.Delivered("alice", 1));
    awaitProcessed(conversation);
    assertTrue(received(harness.userProbe("alice"), Duration.ofMillis(300)).stream()
        .noneMatch(m -> m instanceof UserActor.DeliverReceipt));
    assertEquals(writes, journal.persistedInStorage(pid).size());
    // It rides along with the next write...
    send(conversation, "bob", "c2");
    assertEquals(writes + 1, journal.persistedInStorage(pid).size());
    assertTrue(EventBatches.unbatched(journal.persistedInStorage(pid).get(writes)).stream()
        .anyMatch(e -> e instanceof ConversationActor.ReceiptsRecorded r
            && r.receipts().contains(new ConversationActor.Receipt("alice", ReceiptStatus.DELIVERED, 1))));
    // ...or is stored by the tick when none comes.
    conversation.tell(new ConversationActor.Read("alice", 1));
    awaitProcessed(conversation);
    assertEquals(writes + 1, journal.persistedInStorage(pid).size());
    harness.clock.advance(Duration.ofMillis(150));
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(writes + 2, journal.persistedInStorage(pid).size());
      return null;
    });
    // A receipt someone else is told of is written at once, and then told.
    drain(harness.userProbe("alice"));
    conversation.tell(new ConversationActor.Delivered("bob", 1));
    var receipt = (UserActor.DeliverReceipt) harness.userProbe("alice").receiveMessage(Duration.ofSeconds(5));
    assertEquals(new UserActor.DeliverReceipt("d:alice:bob", 1, "bob", ReceiptStatus.DELIVERED), receipt);
    assertEquals(writes + 3, journal.persistedInStorage(pid).size());
  }

  @Test
  void groupsAreCreatedWithTheCreatorAndAnnouncedToEveryMember() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    TestProbe<Outcome<ConversationInfo>> reply = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Create("alice", "Climbing", List.of("bob", "carol", "bob"), reply.ref()));
    ConversationInfo info = reply.receiveMessage().value();
    assertEquals(List.of("alice", "bob", "carol"), info.members());
    assertEquals("Climbing", info.title());
    for (String member : info.members()) {
      var changed = (UserActor.ConversationChanged) harness.userProbe(member).receiveMessage();
      assertEquals(info.members(), changed.info().members());
    }

    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.AddMembers("dave", List.of("eve"), done.ref()));
    assertEquals(Outcome.Reason.NOT_MEMBER, done.receiveMessage().reason());
    send(conversation, "alice", "before-dave");
    conversation.tell(new ConversationActor.AddMembers("alice", List.of("dave"), done.ref())); // the owner
    assertTrue(done.receiveMessage().isOk());
    send(conversation, "alice", "after-dave");
    var toDave = harness.userProbe("dave").receiveSeveralMessages(2, Duration.ofSeconds(5));
    var deliver = (UserActor.Deliver) toDave.stream().filter(m -> m instanceof UserActor.Deliver).findFirst().orElseThrow();
    assertEquals(1, deliver.since(), "dave's messages start after the one before he joined");
    assertEquals(List.of(2L), deliver.messages().stream().map(ChatMessage::seq).toList());

    conversation.tell(new ConversationActor.Leave("carol", done.ref()));
    assertTrue(done.receiveMessage().isOk());
    assertEquals(Outcome.Reason.NOT_MEMBER, send(conversation, "carol", "gone").reason());
    conversation.tell(new ConversationActor.Leave("alice", done.ref()));
    assertTrue(done.receiveMessage().isOk());
    assertFalse(send(conversation, "alice", "x").isOk());
  }

  /** The next message of {@code type} the member's user entity is told, skipping others. */
  private <T> T next(String member, Class<T> type) {
    return type.cast(harness.userProbe(member).fishForMessage(Duration.ofSeconds(5),
        told -> type.isInstance(told) ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0));
  }

  @Test
  void aHandOffCarriesTheMemberListOnlyToAMemberNotKnownToHoldIt() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    TestProbe<Outcome<ConversationInfo>> reply = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Create("alice", "Climbing", List.of("bob", "carol"), reply.ref()));
    long created = reply.receiveMessage().value().fingerprint();
    // Alice's and bob's user entities store the new group and say so; carol's notice is lost.
    for (String member : List.of("alice", "bob")) {
      assertEquals(created, next(member, UserActor.ConversationChanged.class).info().fingerprint());
      conversation.tell(new ConversationActor.MembershipHeld(member, created));
    }
    next("carol", UserActor.ConversationChanged.class);
    send(conversation, "alice", "m1");
    var toBob = next("bob", UserActor.Deliver.class);
    assertEquals(null, toBob.info(), "bob holds the membership: ids only");
    assertEquals(created, toBob.fingerprint());
    assertEquals(group, toBob.conversationId());
    assertEquals(List.of("alice", "bob", "carol"), next("carol", UserActor.Deliver.class).info().members());
    // Carol's notice is told again until her user entity holds it.
    harness.clock.advance(Duration.ofMillis(150));
    assertEquals(created, next("carol", UserActor.ConversationChanged.class).info().fingerprint());
    conversation.tell(new ConversationActor.MembershipHeld("carol", created));
    conversation.tell(new ConversationActor.HandedOff("carol", 1, created));
    reportHandedOff(conversation, "bob", 1);
    conversation.tell(new ConversationActor.HandedOff("alice", 1, created));
    awaitProcessed(conversation);
    drain(harness.userProbe("carol")); // a re-send of m1 read before she confirmed
    harness.clock.advance(Duration.ofSeconds(1));
    harness.userProbe("carol").expectNoMessage(Duration.ofMillis(300));

    // Dave joins; the notice to bob is lost. Bob's next hand-off carries the new list.
    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.AddMembers("alice", List.of("dave"), done.ref()));
    assertTrue(done.receiveMessage().isOk());
    long joined = next("alice", UserActor.ConversationChanged.class).info().fingerprint();
    conversation.tell(new ConversationActor.MembershipHeld("alice", joined));
    next("bob", UserActor.ConversationChanged.class);
    send(conversation, "alice", "m2");
    assertEquals(null, next("alice", UserActor.Deliver.class).info());
    var withList = next("bob", UserActor.Deliver.class);
    assertEquals(List.of("alice", "bob", "carol", "dave"), withList.info().members());
    assertEquals(joined, withList.fingerprint());

    // A member whose user entity lost the membership it was taken to hold (its inbox dropped the
    // entry) refuses a hand-off without the list and reports what it holds: it gets it again, with the list.
    conversation.tell(new ConversationActor.HandedOff("bob", 2, joined));
    awaitProcessed(conversation);
    send(conversation, "alice", "m3");
    assertEquals(null, next("bob", UserActor.Deliver.class).info());
    conversation.tell(new ConversationActor.HandedOff("bob", 2, Long.MIN_VALUE));
    awaitProcessed(conversation);
    harness.clock.advance(Duration.ofMillis(150));
    var again = next("bob", UserActor.Deliver.class);
    assertEquals(List.of(3L), again.messages().stream().map(ChatMessage::seq).toList());
    assertEquals(List.of("alice", "bob", "carol", "dave"), again.info().members());
  }

  /**
   * Returns once the conversation has handled everything sent to it so far, so that a tick
   * already queued cannot see the clock moved by the next line before it sees the confirmation.
   */
  /** A member's UserActor reports how far it has stored, and the conversation has handled it. */
  private void reportHandedOff(ActorRef<ConversationActor.Command> conversation, String userId, long seq) {
    conversation.tell(new ConversationActor.HandedOff(userId, seq, 0));
    awaitProcessed(conversation);
  }

  private void awaitProcessed(ActorRef<ConversationActor.Command> conversation) {
    TestProbe<Outcome<ConversationActor.Location>> located = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.LocateMessages("alice", Long.MAX_VALUE, 1, located.ref()));
    located.receiveMessage(Duration.ofSeconds(5));
  }

  private static <T> void drain(TestProbe<T> probe) {
    received(probe, Duration.ofMillis(200));
  }

  /** Everything the probe receives until it has been quiet for {@code quiet}. */
  private static <T> List<T> received(TestProbe<T> probe, Duration quiet) {
    List<T> messages = new ArrayList<>();
    while (true) {
      try {
        messages.add(probe.receiveMessage(quiet));
      } catch (AssertionError nothingMore) {
        return messages;
      }
    }
  }
}
