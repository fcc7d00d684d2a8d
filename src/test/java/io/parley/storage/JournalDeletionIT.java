package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.typesafe.config.Config;
import io.parley.metrics.ParleyMetrics;
import io.parley.testing.ParleyProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentRepr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deleting an entity's events through the journal ({@link JournalDeletion}) against the embedded
 * store: every event through the number goes, the later ones stay and replay, and a deletion cut
 * short after its low mark moved is finished by the next attempt. With the plugin's own deletion
 * that attempt found nothing below the moved mark and the events stayed in the table for good.
 * The same against dynoxide: {@link JournalDeletionOnDynoxideIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JournalDeletionIT {
  static final String JOURNAL = "journal";

  AutoCloseable store;
  AmazonDynamoDB client;
  ActorTestKit node;
  Config config;
  String table;
  org.apache.pekko.actor.ActorRef journal;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    ParleyMetrics.installPrometheus();
    String endpoint = startStore(dir);
    config = JournalLayout.apply(LocalPersistence.config(endpoint, ""), 1);
    node = ActorTestKit.create("journal-deletion-it", config);
    journal = Persistence.get(Adapter.toClassic(node.system())).journalFor("", com.typesafe.config.ConfigFactory.empty());
    client = DynamoDbClients.local(endpoint);
    table = config.getString("parley.dynamodb.journal-table");
  }

  @AfterAll
  void stop() throws Exception {
    node.shutdownTestKit();
    store.close();
  }

  /** The store the journal writes to, its endpoint: the embedded store here. */
  String startStore(Path dir) throws Exception {
    EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(dir, ParleyProcess.freePort());
    store = dynamo;
    return dynamo.endpoint();
  }

  @Test
  void everyEventThroughTheNumberGoesAndTheLaterOnesStayAndReplay() {
    String id = "deleted-to-150";
    write(id, 230);
    deleteTo(id, 150);
    assertEquals(LongStream.rangeClosed(151, 230).boxed().toList(), storedEvents(id, 230));
    assertEquals(LongStream.rangeClosed(151, 230).boxed().toList(), replayed(id));
    assertNull(client.getItem(table, JournalDeletion.recordKey(id)).getItem(), "no record of the deletion is left");
  }

  @Test
  void aDeletionCutShortAfterItsLowMarkMovedIsFinishedByTheNextAttempt() {
    String id = "cut-short";
    write(id, 230);
    // What a crash leaves between moving the mark and deleting the events: the range recorded,
    // the low mark past it (as the plugin writes it: shard 0 of one, its number), no event gone.
    Map<String, AttributeValue> record = new HashMap<>(JournalDeletion.recordKey(id));
    record.put("from", new AttributeValue().withN("0"));
    record.put("to", new AttributeValue().withN("150"));
    client.putItem(table, record);
    client.putItem(table, Map.of("par", new AttributeValue(JOURNAL + "-SL-" + id + "-0"),
        "num", new AttributeValue().withN("0"), "seq", new AttributeValue().withN("151")));
    assertEquals(230, storedEvents(id, 230).size());

    deleteTo(id, 150); // the entity asks again, as a conversation's next tick or an erasure's resumption does
    assertEquals(LongStream.rangeClosed(151, 230).boxed().toList(), storedEvents(id, 230));
    assertEquals(LongStream.rangeClosed(151, 230).boxed().toList(), replayed(id));
    assertNull(client.getItem(table, JournalDeletion.recordKey(id)).getItem());
  }

  @Test
  void aLaterDeletionFromTheMovedMarkDeletesOnlyWhatIsLeft() {
    String id = "deleted-twice";
    write(id, 120);
    deleteTo(id, 40);
    deleteTo(id, 100);
    assertEquals(LongStream.rangeClosed(101, 120).boxed().toList(), storedEvents(id, 120));
    assertEquals(LongStream.rangeClosed(101, 120).boxed().toList(), replayed(id));
  }

  @Test
  void anEraserRightAfterARestartAndASnapshotDeletesWhatItIsAsked() throws Exception {
    String id = "restarted";
    // The node before the crash: events, the last one snapshotted (as a recorded archive segment is).
    TestProbe<Long> snapshots = node.createTestProbe();
    TestProbe<Long> replies = node.createTestProbe();
    ActorRef<RecoveryReadsIT.Command> before = node.spawn(RecoveryReadsIT.entity(id, 4, snapshots.ref()));
    for (int value = 1; value <= 4; value++) {
      before.tell(new RecoveryReadsIT.Append(value, replies.ref()));
      replies.receiveMessage(Duration.ofSeconds(10));
    }
    assertEquals(4L, snapshots.receiveMessage(Duration.ofSeconds(10)));
    node.stop(before);
    // A fresh node on the same store: the entity recovers from its snapshot, writes and snapshots
    // again, and an eraser deletes the first events, as a conversation resuming its trim does.
    ActorTestKit restarted = ActorTestKit.create("journal-deletion-restarted", config);
    try {
      TestProbe<Long> snapshotsAfter = restarted.createTestProbe();
      TestProbe<Long> repliesAfter = restarted.createTestProbe();
      ActorRef<RecoveryReadsIT.Command> after = restarted.spawn(RecoveryReadsIT.entity(id, 5, snapshotsAfter.ref()));
      after.tell(new RecoveryReadsIT.Append(5, repliesAfter.ref()));
      repliesAfter.receiveMessage(Duration.ofSeconds(10));
      assertEquals(5L, snapshotsAfter.receiveMessage(Duration.ofSeconds(10)));
      TestProbe<Object> erased = restarted.createTestProbe();
      ((org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(restarted.system())).systemActorOf(
          io.parley.cluster.JournalEraser.events(id, 2, Adapter.toClassic(erased.ref()), "deleted", "failed"), "eraser");
      assertEquals("deleted", erased.receiveMessage(Duration.ofSeconds(10)));
      assertEquals(List.of(3L, 4L, 5L), storedEvents(id, 5));
    } finally {
      restarted.shutdownTestKit();
    }
  }

  /** The sequence numbers of the entity's event items in the table, read from its partitions. */
  private List<Long> storedEvents(String persistenceId, long highest) {
    List<Long> found = new ArrayList<>();
    for (long partition = 0; partition <= highest / 100; partition++) {
      long first = partition * 100;
      client.query(new QueryRequest(table)
              .withKeyConditionExpression("par = :p")
              .withExpressionAttributeValues(Map.of(":p",
                  new AttributeValue(JOURNAL + "-P-" + persistenceId + "-" + partition)))
              .withConsistentRead(true))
          .getItems()
          .forEach(item -> found.add(first + Long.parseLong(item.get("num").getN())));
    }
    return found.stream().filter(seq -> seq > 0).sorted().toList();
  }

  private List<Long> replayed(String persistenceId) {
    TestProbe<Object> probe = node.createTestProbe();
    journal.tell(new JournalProtocol.ReplayMessages(1, Long.MAX_VALUE, Long.MAX_VALUE, persistenceId,
        Adapter.toClassic(probe.ref())), org.apache.pekko.actor.ActorRef.noSender());
    List<Long> sequenceNrs = new ArrayList<>();
    probe.fishForMessage(Duration.ofSeconds(10), "replay", message -> {
      if (message instanceof JournalProtocol.ReplayedMessage replayed) {
        PersistentRepr repr = replayed.persistent();
        sequenceNrs.add(repr.sequenceNr());
        return FishingOutcomes.continueAndIgnore();
      }
      return message instanceof JournalProtocol.RecoverySuccess
          ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore();
    });
    return sequenceNrs;
  }

  private void write(String persistenceId, int events) {
    JournalRequests.write(node, persistenceId, events);
  }

  private void deleteTo(String persistenceId, long toSequenceNr) {
    JournalRequests.deleteTo(node, persistenceId, toSequenceNr);
  }
}
