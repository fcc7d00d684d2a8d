package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.typesafe.config.Config;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.parley.metrics.ParleyMetrics;
import io.parley.testing.ParleyProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The highest sequence number the journal finds for an entity, through its client
 * ({@link LowMarkReads}), against the embedded store: an entity without a high-water mark has its
 * low-water mark read with its high marks, in one BatchGetItem where the plugin alone sends two,
 * and the number found is the one the plugin finds, wherever its events were deleted up to.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LowMarkReadsIT {
  EmbeddedDynamoDb dynamo;
  ActorTestKit node;
  Config config;
  org.apache.pekko.actor.ActorRef journal;

  /** The journal's sequence-number shards: the plugin's ten here, one in {@link LowMarkReadsOneShardIT}. */
  int shards() {
    return 10;
  }

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    ParleyMetrics.installPrometheus();
    dynamo = EmbeddedDynamoDb.start(dir, ParleyProcess.freePort());
    config = JournalLayout.apply(LocalPersistence.config(dynamo, ""), shards());
    node = ActorTestKit.create("low-mark-reads-it-" + shards(), config);
    journal = Persistence.get(Adapter.toClassic(node.system())).journalFor("", com.typesafe.config.ConfigFactory.empty());
  }

  @AfterAll
  void stop() throws Exception {
    node.shutdownTestKit();
    dynamo.close();
  }

  @Test
  void aNewEntityFindsNothingWithOneBatchGetItem() {
    assertEquals(1, batchGetsFinding(0, "never-written"), "high and low marks read together");
  }

  @Test
  void anEntityWhoseEventsWereDeletedInItsFirstPartitionFindsItsLowMarkInShardZero() {
    String id = "deleted-to-50";
    write(id, 50);
    deleteTo(id, 50); // low mark 51: shard 0
    assertEquals(1, batchGetsFinding(50, id), "the low mark came with the high marks, for the highest read and the replay");
  }

  @Test
  void anEntityWhoseEventsWereDeletedUpToTheLastOfItsFirstPartitionFindsItsLowMarkInShardOne() {
    String id = "deleted-to-99";
    write(id, 99);
    deleteTo(id, 99); // low mark 100: shard 1
    assertEquals(99, highest(id));
  }

  @Test
  void anEntityWithAHighMarkReadsItsLowMarksAsThePluginDoes() {
    String id = "deleted-to-150";
    write(id, 150); // a high mark for partition 1
    assertEquals("100", highMark(id, 1 % shards()), "partition 1's mark, in the shard the layout puts it");
    deleteTo(id, 150); // partition 1 empty: the plugin goes on to the low marks
    assertEquals(3, batchGetsFinding(150, id), "as the plugin alone: high marks, low marks for the highest read, for the replay");
  }

  @Test
  void aLowMarkWrittenAfterTheHighMarksWereReadIsFound() {
    String id = "deleted-after-reading";
    write(id, 20);
    assertEquals(20, highest(id)); // its low marks (none) fetched and not asked for: kept
    deleteTo(id, 20); // writes a low mark of 21
    assertEquals(20, highest(id));
  }

  /** Finds {@code expected} as the entity's highest sequence number; the BatchGetItems that took. */
  private double batchGetsFinding(long expected, String persistenceId) {
    double before = batchGets();
    assertEquals(expected, highest(persistenceId));
    return batchGets() - before;
  }

  private long highest(String persistenceId) {
    TestProbe<Object> probe = node.createTestProbe();
    journal.tell(new JournalProtocol.ReplayMessages(1, Long.MAX_VALUE, Long.MAX_VALUE, persistenceId,
        Adapter.toClassic(probe.ref())), org.apache.pekko.actor.ActorRef.noSender());
    Object done = probe.fishForMessage(Duration.ofSeconds(10), "recovery", message ->
        message instanceof JournalProtocol.RecoverySuccess ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
    return ((JournalProtocol.RecoverySuccess) done).highestSequenceNr();
  }

  private void write(String persistenceId, int events) {
    JournalRequests.write(node, persistenceId, events);
  }

  private void deleteTo(String persistenceId, long toSequenceNr) {
    JournalRequests.deleteTo(node, persistenceId, toSequenceNr);
  }

  private String highMark(String persistenceId, int shard) {
    var item = DynamoDbClients.local(dynamo.endpoint()).getItem(config.getString("parley.dynamodb.journal-table"),
        java.util.Map.of("par", new AttributeValue("journal-SH-" + persistenceId + "-" + shard),
            "num", new AttributeValue().withN("0"))).getItem();
    return item == null ? null : item.get("seq").getN();
  }

  private static double batchGets() {
    Counter counter = Metrics.globalRegistry.find("parley.dynamodb.requests").tag("operation", "BatchGetItem").counter();
    return counter == null ? 0 : counter.count();
  }
}
