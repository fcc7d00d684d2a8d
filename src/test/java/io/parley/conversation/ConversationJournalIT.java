package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.archive.ColdTier;
import io.parley.archive.ArchiveSettings;
import io.parley.archive.ArchiveIo;
import io.parley.user.UserRecipients;
import io.parley.storage.DynamoDbDedupTable;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import io.parley.config.ParleyConfig;
import io.parley.storage.DynamoDbClients;
import io.parley.storage.DynamoDbTables;
import io.parley.storage.EmbeddedDynamoDb;
import io.parley.testing.MemoryGroupMembers;
import io.parley.testing.ParleyProcess;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.dynamodb.query.javadsl.DynamoDBReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hot-tier reader against the embedded store through the real persistence plugin: what a
 * ConversationActor wrote in group-committed batches reads back exactly, range by range.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConversationJournalIT {
  static final String CONVERSATION = "d:alice:bob";

  EmbeddedDynamoDb dynamo;
  ActorTestKit testKit;
  ActorRef<ConversationActor.Command> conversation;
  AmazonDynamoDB dynamoClient;
  String dedupTable;
  MessageReader reader;
  ColdArchive archive;
  DedupSpill dedupSpill;
  MessageHistory history;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    dynamo = EmbeddedDynamoDb.start(dir, ParleyProcess.freePort());
    Config base = ConfigFactory.parseString("pekko.actor.provider = local\nparley.s3.embedded = off")
        .withFallback(ConfigFactory.load());
    Config config = ParleyConfig.complete(base, dynamo.endpoint(), "http://127.0.0.1:1");
    dynamoClient = DynamoDbClients.fromJournalConfig(config);
    dedupTable = config.getString("parley.dynamodb.dedup-table");
    DynamoDbTables.ensure(dynamoClient, config.getString("parley.dynamodb.journal-table"),
        config.getString("parley.dynamodb.snapshot-table"), dedupTable);
    testKit = ActorTestKit.create("journal-it", config);
    DynamoDBReadJournal readJournal = PersistenceQuery.get(testKit.system())
        .getReadJournalFor(DynamoDBReadJournal.class, "dynamodb-read-journal");
    ConversationJournal journal = new ConversationJournal(readJournal, testKit.system());
    ColdTier cold = ColdTier.from(config, testKit.system());
    reader = new MessageReader(journal, cold);
    archive = new ArchiveIo(cold, page -> ignored(), ArchiveSettings.from(config), Clock.systemUTC());
    dedupSpill = new DynamoDbDedupTable(dynamoClient, dedupTable, Executors.newCachedThreadPool(), Clock.systemUTC());
    conversation = spawn(CONVERSATION, ConversationSettings.from(config));
    history = new MessageHistory(id -> conversation, reader, Duration.ofSeconds(10), testKit.system());
  }

  private ActorRef<ConversationActor.Command> spawn(String conversationId, ConversationSettings settings) {
    return spawn(conversationId, settings, dedupSpill);
  }

  private ActorRef<ConversationActor.Command> spawn(
      String conversationId, ConversationSettings settings, DedupSpill spill) {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    return testKit.spawn(ConversationActor.create(conversationId, shard.ref(), new ConversationWiring(
        new UserRecipients(user -> ignored()), reader, archive, spill, MemberIndex.NONE, new MemoryGroupMembers(),
        LiveGroups.NONE, settings, Clock.systemUTC())));
  }

  /** The dedup table, counting the keys looked up in it. */
  private record CountingSpill(DedupSpill table, AtomicInteger keysLookedUp) implements DedupSpill {
    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public CompletionStage<Done> store(
        String conversationId, long generation, Map<Long, DedupWindow.Entry> entries, long expiresAt) {
      return table.store(conversationId, generation, entries, expiresAt);
    }

    @Override
    public CompletionStage<Map<Long, DedupWindow.Entry>> find(
        String conversationId, Map<Long, SpilledKeys.Whereabouts> keys) {
      keysLookedUp.addAndGet(keys.size());
      return table.find(conversationId, keys);
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
    if (dynamo != null) {
      dynamo.close();
    }
  }

  @Test
  void messagesWrittenInBatchesReadBackExactlyByRange() throws Exception {
    // Three writes: 40 sends arriving together are group-committed into few journal items.
    TestProbe<Outcome<ConversationActor.SendAck>> acks = testKit.createTestProbe();
    for (int i = 1; i <= 40; i++) {
      conversation.tell(new ConversationActor.Send(i % 2 == 0 ? "alice" : "bob", "c" + i, "text " + i, "text", acks.ref()));
    }
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      seqs.add(acks.receiveMessage(Duration.ofSeconds(20)).value().seq());
    }
    assertEquals(LongStream.rangeClosed(1, 40).boxed().toList(), seqs.stream().sorted().toList());

    assertRange(1, 40);
    assertRange(17, 23);
    assertRange(40, 40);
    // A page of history is the newest messages before a seq, ascending.
    MessageHistory.Page page = history.page("alice", CONVERSATION, 11, 5).toCompletableFuture().get(10, TimeUnit.SECONDS).value();
    assertEquals(List.of(6L, 7L, 8L, 9L, 10L), page.messages().stream().map(ChatMessage::seq).toList());
  }

  @Test
  void aRetryIsRecognisedAfterItsKeyLeftTheConversationsStateForTheDedupTable() {
    String busy = "d:carol:dave";
    // Snapshots every five events: the recovered conversation below starts from one.
    ConversationSettings small = withDedupBound(ConversationSettings.from(testKit.system().settings().config()), 8, 5);
    AtomicInteger keysLookedUp = new AtomicInteger();
    DedupSpill spill = new CountingSpill(dedupSpill, keysLookedUp);
    var conversation = spawn(busy, small, spill);
    List<ConversationActor.SendAck> acks = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      acks.add(send(conversation, "m" + i));
      // Keys move out after each write once the state holds more than 6 (three quarters of 8).
      int sent = i;
      if (sent > 6) {
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
          assertTrue(spilledKeys(busy) >= sent - 6, "moved out after message " + sent);
          return null;
        });
      }
    }
    assertEquals(0, keysLookedUp.get(), "new keys, which never moved, are not looked up");
    assertEquals(acks.get(0).asRepeat(), send(conversation, "m1"), "a retry of the first message, long gone from the state");
    assertEquals(1, keysLookedUp.get(), "a key that moved is looked up");
    assertEquals(acks.get(29).asRepeat(), send(conversation, "m30"), "a retry of the last, still in the state");
    assertEquals(31, send(conversation, "m31").seq());
    assertEquals(1, keysLookedUp.get());

    // The state says which keys moved, so a conversation recovered from its snapshot looks them up too.
    conversation.tell(ConversationActor.stopMessage());
    testKit.createTestProbe().expectTerminated(conversation, Duration.ofSeconds(10));
    var recovered = spawn(busy, small, spill);
    assertEquals(acks.get(1).asRepeat(), send(recovered, "m2"));
    assertEquals(2, keysLookedUp.get());
    assertEquals(32, send(recovered, "m32").seq());
    assertEquals(2, keysLookedUp.get(), "and still does not look up new keys");
  }

  @Test
  void theDedupTableFindsKeysInTheirGenerationAndThoseMovedWithAnItemEach() throws Exception {
    String conversationId = "d:erin:frank";
    long expiresAt = System.currentTimeMillis() + Duration.ofHours(24).toMillis();
    dedupSpill.store(conversationId, 7, Map.of(11L, new DedupWindow.Entry(1, 100), 12L, new DedupWindow.Entry(2, 200)),
        expiresAt).toCompletableFuture().get(10, TimeUnit.SECONDS);
    dedupSpill.store(conversationId, 7, Map.of(27L, new DedupWindow.Entry(3, 300)), expiresAt)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    // As keys were stored before generations: an item of its own.
    dynamoClient.putItem(dedupTable, Map.of(
        "k", new AttributeValue(conversationId + "#" + Long.toHexString(99)),
        "seq", new AttributeValue().withN("9"),
        "ts", new AttributeValue().withN("900"),
        "exp", new AttributeValue().withN(Long.toString(expiresAt / 1000))));

    var inGeneration = new SpilledKeys.Whereabouts(false, List.of(7L));
    Map<Long, DedupWindow.Entry> found = dedupSpill.find(conversationId, Map.of(
            11L, inGeneration, 27L, inGeneration, 13L, inGeneration,
            99L, new SpilledKeys.Whereabouts(true, List.of()),
            12L, new SpilledKeys.Whereabouts(false, List.of(8L))))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(Map.of(11L, new DedupWindow.Entry(1, 100), 27L, new DedupWindow.Entry(3, 300),
        99L, new DedupWindow.Entry(9, 900)), found, "13 never moved; 12 is not in generation 8");
  }

  private ConversationActor.SendAck send(ActorRef<ConversationActor.Command> conversation, String clientMsgId) {
    TestProbe<Outcome<ConversationActor.SendAck>> ack = testKit.createTestProbe();
    conversation.tell(new ConversationActor.Send("carol", clientMsgId, "text of " + clientMsgId, "text", ack.ref()));
    return ack.receiveMessage(Duration.ofSeconds(10)).value();
  }

  /** Keys in the dedup table for {@code conversationId}, each item with a 24 h expiry, a few items per move. */
  private int spilledKeys(String conversationId) {
    List<Map<String, AttributeValue>> items = dynamoClient.scan(new ScanRequest(dedupTable)).getItems().stream()
        .filter(item -> item.get("k").getS().startsWith(conversationId + "#"))
        .toList();
    int keys = 0;
    for (Map<String, AttributeValue> item : items) {
      for (ByteBuffer entry : item.get("e").getBS()) {
        long expiresAfterTs = Long.parseLong(item.get("exp").getN()) * 1000 - entry.getLong(16);
        assertTrue(expiresAfterTs >= Duration.ofHours(24).toMillis(), "kept for the whole window: " + item);
        keys++;
      }
    }
    assertTrue(items.size() <= keys, items.size() + " items for " + keys + " keys");
    return keys;
  }

  private static ConversationSettings withDedupBound(ConversationSettings s, int maxEntries, int snapshotEvery) {
    return new ConversationSettings(s.maxContentChars(), s.maxGroupMembers(), s.dedupWindow(), maxEntries,
        s.maxBufferedSends(), s.handoffRetryInterval(), s.passivateAfterIdle(), snapshotEvery,
        s.largeGroupFrom());
  }

  private void assertRange(long from, long to) throws Exception {
    List<ChatMessage> read = history.messages(CONVERSATION, from, to).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(LongStream.rangeClosed(from, to).boxed().toList(), read.stream().map(ChatMessage::seq).toList());
    for (ChatMessage m : read) {
      // Each message carries what its sender sent under its client id.
      assertEquals("text " + m.clientMsgId().substring(1), m.content());
    }
  }

  /** Members and the archive calendar: probes that ignore what they are told. */
  private <T> RecipientRef<T> ignored() {
    return testKit.<T>createTestProbe().ref();
  }
}
