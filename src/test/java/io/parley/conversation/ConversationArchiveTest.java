package io.parley.conversation;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.parley.archive.ArchiveSettings;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.archive.ArchiveCalendar;
import io.parley.archive.ColdTier;
import io.parley.cluster.EventBatches;
import io.parley.storage.EmbeddedObjectStore;
import io.parley.testing.EntityHarness;
import io.parley.testing.ParleyProcess;
import io.parley.user.UserActor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ConversationActor's archive runs on the persistence testkit with a real s3proxy: old
 * messages leave the journal for S3 segments, reads and hand-off retries return exactly what
 * they did before, and the state the deleted events built survives.
 */
class ConversationArchiveTest {
  static final String CONVERSATION = "d:alice:bob";
  static final String PID = ConversationActor.persistenceId(CONVERSATION).id();
  /** The tick: hand-off retries, archive steps and passivation are checked at each. */
  static final Duration TICK = Duration.ofMillis(100);

  @TempDir Path temp;
  EmbeddedObjectStore s3;
  EntityHarness harness;
  ConversationSettings settings;
  PersistenceTestKit journal;
  TestProbe<ClusterSharding.ShardCommand> shard;
  /** Timers (the conversation's tick) run on virtual time, moved with the harness clock. */
  ManualTime time;
  WatchedArchive archive;

  @BeforeEach
  void setUp() throws Exception {
    s3 = EmbeddedObjectStore.start(temp.resolve("s3"), ParleyProcess.freePort(), "parley", "parleylocal", "parleylocalsecret");
    String overrides = "parley.conversation { handoff-retry-interval = 100ms, snapshot-every = 1000 }\n"
        + "parley.archive { after = 1h, batch-window = 0s, segment-max-messages = 4, cache-segments = 2 }\n"
        + "parley.s3.resolved-endpoint = \"" + s3.endpoint() + "\"\n";
    harness = new EntityHarness(
        ConfigFactory.parseString(overrides).withFallback(ManualTime.config()).root().render());
    time = ManualTime.get(harness.testKit.system());
    settings = ConversationSettings.from(harness.config);
    journal = PersistenceTestKit.create(harness.testKit.system());
    shard = harness.testKit.createTestProbe();
    archive = new WatchedArchive(harness.coldArchive());
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.shutdown();
    s3.close();
  }

  private ActorRef<ConversationActor.Command> spawn() {
    return harness.testKit.spawn(harness.conversationActor(CONVERSATION, shard.ref(), settings, archive));
  }

  /** The harness's archive I/O, with the removals of strays each run starts once it is recorded kept. */
  final class WatchedArchive implements ColdArchive {
    final ColdArchive io;
    final List<CompletableFuture<Integer>> strayRemovals = new CopyOnWriteArrayList<>();

    WatchedArchive(ColdArchive io) {
      this.io = io;
    }

    public Rules rules() {
      return io.rules();
    }

    public CompletionStage<String> write(String conversationId, Segment segment, List<ChatMessage> messages) {
      return io.write(conversationId, segment, messages);
    }

    public CompletionStage<Integer> removeStrays(String conversationId, Segment recorded) {
      CompletableFuture<Integer> removal = io.removeStrays(conversationId, recorded).toCompletableFuture();
      strayRemovals.add(removal);
      return removal;
    }

    public void remindAt(String conversationId, long dueAtMillis) {
      io.remindAt(conversationId, dueAtMillis);
    }

    public void reached(Step step, String conversationId) {
      io.reached(step, conversationId);
    }

    /** Once every removal started so far is done, nothing of a run deletes objects any more. */
    void awaitStrayRemovals() throws Exception {
      CompletableFuture.allOf(strayRemovals.toArray(CompletableFuture[]::new)).get(10, SECONDS);
    }
  }

  private ConversationActor.SendAck send(ActorRef<ConversationActor.Command> conversation, String sender, String clientMsgId) {
    TestProbe<Outcome<ConversationActor.SendAck>> reply = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Send(sender, clientMsgId, "content of " + clientMsgId, "text", reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(5)).value();
  }

  /** One history page as MessageHistory reads it: locate, then read cold and hot parts. */
  private List<ChatMessage> page(ActorRef<ConversationActor.Command> conversation, long beforeSeq, int limit) {
    TestProbe<Outcome<ConversationActor.Location>> located = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.LocateMessages("alice", beforeSeq, limit, located.ref()));
    ConversationActor.Location at = located.receiveMessage(Duration.ofSeconds(5)).value();
    return new MessageReader(harness.journal(), harness.coldTier()).read(CONVERSATION, at)
        .toCompletableFuture().join();
  }

  /** Every page of {@code limit}, newest first, as a client pages back through history. */
  private List<List<ChatMessage>> allPages(ActorRef<ConversationActor.Command> conversation, long lastSeq, int limit) {
    List<List<ChatMessage>> pages = new ArrayList<>();
    for (long before = lastSeq + 1; before > 1; before -= limit) {
      pages.add(page(conversation, before, limit));
    }
    return pages;
  }

  private List<Long> storedMessageSeqs() {
    return journal.persistedInStorage(PID).stream()
        .flatMap(e -> EventBatches.unbatched(e).stream())
        .filter(e -> e instanceof ConversationActor.MessagesAccepted)
        .flatMap(e -> ((ConversationActor.MessagesAccepted) e).messages().stream())
        .map(StoredMessage::seq)
        .toList();
  }

  /**
   * Moves the clock the entity reads by {@code duration}, then lets one tick fire. Virtual time
   * moves by one tick only: passing an hour at once would fire a fixed-delay timer once per
   * interval in that hour, thousands of ticks together.
   */
  private void pass(Duration duration) {
    harness.clock.advance(duration.minus(TICK));
    tick();
  }

  /** One tick of virtual time, on the entity's clock too. */
  private void tick() {
    harness.clock.advance(TICK);
    time.timePasses(TICK);
  }

  /**
   * Lets the conversation tick (one tick of virtual time per try) until the assertion holds:
   * each archive run starts on a tick, and its steps then complete in the background.
   */
  private void ticksUntil(Runnable assertion) {
    ticksUntil(() -> {}, assertion);
  }

  private void ticksUntil(Runnable beforeEachTick, Runnable assertion) {
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      beforeEachTick.run();
      tick();
      assertion.run();
      return null;
    });
  }

  @Test
  void aBusyConversationArchivesToo() {
    var conversation = spawn();
    for (int i = 1; i <= 6; i++) {
      send(conversation, "alice", "b" + i);
    }
    // Members keep confirming hand-offs, so every tick finds confirmations waiting to be stored.
    AtomicLong confirmed = new AtomicLong();
    Runnable confirm = () -> conversation.tell(new ConversationActor.HandedOff("bob", confirmed.incrementAndGet(), 0));
    ticksUntil(confirm, () -> assertTrue(journal.persistedInStorage(PID).stream()
        .flatMap(e -> EventBatches.unbatched(e).stream())
        .anyMatch(ConversationActor.HandoffsConfirmed.class::isInstance), "confirmations are being stored"));
    pass(Duration.ofMinutes(61));
    ticksUntil(confirm, () -> assertFalse(storedMessageSeqs().contains(1L), "1..4 left the journal"));
  }

  @Test
  void oldMessagesMoveToS3SegmentsAndEveryPageReadsTheSame() {
    var conversation = spawn();
    List<ConversationActor.SendAck> acks = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      acks.add(send(conversation, i % 2 == 0 ? "bob" : "alice", "c" + i));
    }
    pass(Duration.ofMinutes(61));
    send(conversation, "alice", "c11");
    send(conversation, "bob", "c12");
    List<List<ChatMessage>> before = allPages(conversation, 12, 5);
    assertEquals(12, before.stream().mapToInt(List::size).sum());

    // 1..10 are older than an hour: three runs of at most four (1-4, 5-8, 9-10); 11, 12 stay.
    ticksUntil(() -> assertEquals(List.of(11L, 12L), storedMessageSeqs()));
    ticksUntil(() -> assertTrue(journal.persistedInStorage(PID).stream()
        .anyMatch(e -> e instanceof ConversationActor.JournalTrimmed t && t.throughSeqNr() > 0)));
    for (Segment segment : List.of(new Segment(1, 4), new Segment(5, 8), new Segment(9, 10))) {
      assertTrue(Files.exists(s3File(segment)), "object for " + segment);
    }
    assertEquals(before, allPages(conversation, 12, 5), "pages spanning cold and hot are unchanged");
    assertEquals(before, allPages(conversation, 12, 5), "and so are they from the segment cache");

    // The deleted events built state that the snapshot now carries: seq, dedup, membership.
    conversation.tell(ConversationActor.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(conversation, Duration.ofSeconds(5));
    var restarted = spawn();
    assertEquals(before, allPages(restarted, 12, 5));
    assertEquals(acks.get(0).asRepeat(), send(restarted, "alice", "c1"), "a retry of an archived send is still recognised");
    assertEquals(13, send(restarted, "alice", "c13").seq());
  }

  @Test
  void aLateWriteOfARunCutShortLeavesTheRecordedSegmentWhole() throws Exception {
    var conversation = archivedConversationOfFour();
    List<ChatMessage> whole = page(conversation, 5, 4);
    // A run cut short by a restart had read 1..3 only; its S3 write lands after the new run's.
    ColdTier.from(harness.config, harness.testKit.system()).write(CONVERSATION, new Segment(1, 3), whole.subList(0, 3)).toCompletableFuture().get(10, SECONDS);
    assertEquals(whole, freshPage(conversation, 5, 4));
  }

  @Test
  void anObjectLeftByARunCutShortIsRemovedOnceTheSegmentIsRecorded() throws Exception {
    var conversation = spawn();
    for (int i = 1; i <= 4; i++) {
      send(conversation, "alice", "c" + i);
    }
    List<ChatMessage> firstTwo = page(conversation, 3, 2);
    ColdTier.from(harness.config, harness.testKit.system()).write(CONVERSATION, new Segment(1, 2), firstTwo).toCompletableFuture().get(10, SECONDS);
    assertTrue(Files.exists(s3File(new Segment(1, 2))));
    pass(Duration.ofMinutes(61));
    ticksUntil(() -> assertTrue(Files.exists(s3File(new Segment(1, 4)))));
    ticksUntil(() -> assertFalse(Files.exists(s3File(new Segment(1, 2))), "the stray object is gone"));
  }

  @Test
  void aSegmentStoredUnderItsStartAloneStillReads() throws Exception {
    var conversation = archivedConversationOfFour();
    List<ChatMessage> whole = page(conversation, 5, 4);
    Segment segment = new Segment(1, 4);
    // A run's removal of strays deletes what starts where its segment starts, a legacy key too:
    // it must be over before the object moves there, as it is long over when an earlier version's is read.
    archive.awaitStrayRemovals();
    Path legacy = temp.resolve("s3").resolve("parley").resolve(segment.legacyKey(CONVERSATION));
    Files.move(s3File(segment), legacy);
    assertEquals(whole, freshPage(conversation, 5, 4));
  }

  @Test
  void anArchivedMessageIsDeletedForEveryoneToo() {
    var conversation = archivedConversationOfFour();
    TestProbe<Outcome<Done>> deleted = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Delete("alice", 2, deleted.ref()));
    assertTrue(deleted.receiveMessage(Duration.ofSeconds(5)).isOk());
    List<ChatMessage> page = freshPage(conversation, 5, 4);
    assertEquals(List.of("text", ChatMessage.DELETED, "text", "text"), page.stream().map(ChatMessage::contentType).toList());
    assertEquals("", page.get(1).content());
    assertEquals("content of c3", page.get(2).content());
  }

  /** A conversation of four messages, all of them moved to S3 (none left in the journal). */
  private ActorRef<ConversationActor.Command> archivedConversationOfFour() {
    var conversation = spawn();
    for (int i = 1; i <= 4; i++) {
      send(conversation, "alice", "c" + i);
    }
    pass(Duration.ofMinutes(61));
    ticksUntil(() -> assertEquals(List.of(), storedMessageSeqs()));
    return conversation;
  }

  /** A page read through a cold tier of its own, so that nothing comes from the shared cache. */
  private List<ChatMessage> freshPage(ActorRef<ConversationActor.Command> conversation, long beforeSeq, int limit) {
    TestProbe<Outcome<ConversationActor.Location>> located = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.LocateMessages("alice", beforeSeq, limit, located.ref()));
    ConversationActor.Location at = located.receiveMessage(Duration.ofSeconds(5)).value();
    var coldTier = ColdTier.from(harness.config, harness.testKit.system());
    return new MessageReader(harness.journal(), coldTier).read(CONVERSATION, at).toCompletableFuture().join();
  }

  @Test
  void handOffRetriesOfArchivedMessagesAreReadFromS3() {
    var conversation = spawn();
    for (int i = 1; i <= 6; i++) {
      send(conversation, "alice", "c" + i);
    }
    conversation.tell(new ConversationActor.HandedOff("alice", 6, 0));
    pass(Duration.ofMinutes(61));
    // Bob's UserActor never confirms: the retries keep coming, and once the journal has lost
    // the messages they must come from S3, whole.
    ticksUntil(() -> assertEquals(List.of(), storedMessageSeqs()));
    TestProbe<UserActor.Command> bob = harness.userProbe("bob");
    // Retries wait for virtual time: drop what was sent while the journal still had them.
    while (true) {
      try {
        bob.receiveMessage(Duration.ofMillis(300));
      } catch (AssertionError quiet) {
        break;
      }
    }
    pass(Duration.ofSeconds(3));
    var deliver = (UserActor.Deliver) bob.receiveMessage(Duration.ofSeconds(5));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), deliver.messages().stream().map(ChatMessage::seq).toList());
    assertEquals("content of c5", deliver.messages().get(4).content());
  }

  @Test
  void youngMessagesStayAndNothingIsWritten() throws Exception {
    var conversation = spawn();
    send(conversation, "alice", "c1");
    pass(Duration.ofMinutes(59));
    conversation.tell(new ConversationActor.HandedOff("alice", 1, 0));
    for (int i = 0; i < 5; i++) {
      tick();
    }
    send(conversation, "bob", "c2"); // answered after those ticks were handled
    assertEquals(List.of(1L, 2L), storedMessageSeqs());
    try (Stream<Path> files = Files.walk(temp.resolve("s3"))) {
      assertFalse(files.anyMatch(f -> f.toString().endsWith(".jsonl.gz")), "no segment written");
    }
  }

  @Test
  void goingToSleepWithHotMessagesFilesAReminderInTheSlotTheyFallDueIn() {
    var conversation = spawn();
    send(conversation, "alice", "c1");
    long sentAt = harness.clock.millis();
    conversation.tell(new ConversationActor.HandedOff("alice", 1, 0));
    conversation.tell(new ConversationActor.HandedOff("bob", 1, 0));
    pass(settings.passivateAfterIdle());
    ticksUntil(() -> shard.expectMessageClass(ClusterSharding.Passivate.class, Duration.ofMillis(50)));
    var remind = (ArchiveCalendar.Remind) harness.archiveCalendarProbe.receiveMessage(Duration.ofSeconds(5));
    assertEquals(CONVERSATION, remind.conversationId());
    long slot = ArchiveSettings.from(harness.config).calendarSlot().toMillis();
    long dueAt = Math.max(sentAt + ArchiveSettings.from(harness.config).after().toMillis(), harness.clock.millis() + slot);
    assertEquals(ArchiveCalendar.pageId(dueAt / slot, CONVERSATION, ArchiveSettings.from(harness.config).calendarBuckets()),
        harness.calendarPagesAddressed.peek());
  }

  private Path s3File(Segment segment) {
    return temp.resolve("s3").resolve("parley").resolve(segment.key(CONVERSATION));
  }
}
