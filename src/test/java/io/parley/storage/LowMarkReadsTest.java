package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemResult;
import com.amazonaws.services.dynamodbv2.model.KeysAndAttributes;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * When a recovery's low-mark read is answered from what its high-mark read fetched
 * ({@link LowMarkReads}): the requests are the persistence plugin's own (1.1.0). The journal's
 * reads through the embedded store are in {@link LowMarkReadsIT}.
 */
class LowMarkReadsTest {
  static final String TABLE = "parley-journal";

  final AtomicLong now = new AtomicLong();
  final LowMarkReads reads = new LowMarkReads(TABLE, "journal", 10, now::get);

  @Test
  void aHighMarkReadAlsoAsksForTheTwoLowMarksAnEntityWithoutHighMarksCanHave() {
    List<String> sent = partitions(reads.toSend(marks("SH", "user-1")));
    assertEquals(12, sent.size());
    assertTrue(sent.containsAll(List.of("journal-SL-user-1-0", "journal-SL-user-1-1")));
  }

  @Test
  void withOneShardAHighMarkReadAlsoAsksForTheOneLowMark() {
    LowMarkReads oneShard = new LowMarkReads(TABLE, "journal", 1, now::get);
    Map<String, KeysAndAttributes> asked = Map.of(TABLE,
        new KeysAndAttributes().withKeys(List.of(key("journal-SH-user-1-0"))).withConsistentRead(true));
    assertEquals(List.of("journal-SH-user-1-0", "journal-SL-user-1-0"), partitions(oneShard.toSend(asked)));
  }

  @Test
  void theLowMarksFoundAnswerTheEntitysLowMarkReadsAndAreTakenOutOfTheHighMarkAnswer() {
    BatchGetItemResult highMarks = read("user-1", item("journal-SL-user-1-0", 51));
    assertEquals(List.of(), highMarks.getResponses().get(TABLE), "the plugin sees only what it asked for");

    BatchGetItemResult lowMarks = reads.lowMarksRead(marks("SL", "user-1")).orElseThrow();
    assertEquals(List.of(item("journal-SL-user-1-0", 51)), lowMarks.getResponses().get(TABLE));
    assertTrue(reads.lowMarksRead(marks("SL", "user-1")).isPresent(), "the replay's read too");
    assertTrue(reads.lowMarksRead(marks("SL", "user-2")).isEmpty(), "another entity's");
  }

  @Test
  void anEntityWithAHighMarkReadsItsLowMarksAsUsual() {
    BatchGetItemResult highMarks = read("user-1", item("journal-SH-user-1-1", 100), item("journal-SL-user-1-1", 151));
    assertEquals(List.of(item("journal-SH-user-1-1", 100)), highMarks.getResponses().get(TABLE));
    assertTrue(reads.lowMarksRead(marks("SL", "user-1")).isEmpty());
  }

  @Test
  void aWriteOfTheEntityEndsTheAnswersButAnotherEntitysDoesNot() {
    read("user-1");
    read("user-10");
    reads.writing(Map.of(TABLE, List.of(put("journal-P-user-10-0"))));
    assertTrue(reads.lowMarksRead(marks("SL", "user-1")).isPresent());
    assertTrue(reads.lowMarksRead(marks("SL", "user-10")).isEmpty(), "an event of its own");

    reads.writing(TABLE, key("journal-SL-user-1-0"));
    assertTrue(reads.lowMarksRead(marks("SL", "user-1")).isEmpty(), "a low mark of its own");
  }

  @Test
  void aWriteWhileTheHighMarksAreOnTheirWayKeepsNothing() {
    Map<String, KeysAndAttributes> asked = marks("SH", "user-1");
    reads.toSend(asked);
    reads.writing(TABLE, key("journal-P-user-1-0"));
    reads.received(asked, found());
    assertTrue(reads.lowMarksRead(marks("SL", "user-1")).isEmpty());
  }

  @Test
  void anUnprocessedLowMarkKeepsNothingAndAnUnprocessedHighMarkGoesBackToThePlugin() {
    Map<String, KeysAndAttributes> asked = marks("SH", "user-1");
    reads.toSend(asked);
    BatchGetItemResult found = found();
    found.getUnprocessedKeys().put(TABLE, new KeysAndAttributes()
        .withKeys(List.of(key("journal-SL-user-1-1"), key("journal-SH-user-1-3"))).withConsistentRead(true));
    BatchGetItemResult answer = reads.received(asked, found);
    assertEquals(List.of(key("journal-SH-user-1-3")), answer.getUnprocessedKeys().get(TABLE).getKeys());
    assertTrue(reads.lowMarksRead(marks("SL", "user-1")).isEmpty());
  }

  @Test
  void whatWasFetchedGoesAfterItsAge() {
    read("user-1");
    now.addAndGet(LowMarkReads.MAX_AGE_NANOS + 1);
    assertTrue(reads.lowMarksRead(marks("SL", "user-1")).isEmpty());
    assertEquals(0, reads.fetchedEntities());
  }

  @Test
  void otherReadsGoOutAsTheyAre() {
    Map<String, KeysAndAttributes> someShards = Map.of(TABLE, new KeysAndAttributes()
        .withKeys(List.of(key("journal-SH-user-1-0"), key("journal-SH-user-1-1"))).withConsistentRead(true));
    assertSame(someShards, reads.toSend(someShards));
    Map<String, KeysAndAttributes> otherTable = Map.of("other", marks("SH", "user-1").get(TABLE));
    assertSame(otherTable, reads.toSend(otherTable));
  }

  /** The high-mark read of {@code entity}, answered with {@code items} (high and low marks found). */
  @SafeVarargs
  private BatchGetItemResult read(String entity, Map<String, AttributeValue>... items) {
    Map<String, KeysAndAttributes> asked = marks("SH", entity);
    reads.toSend(asked);
    BatchGetItemResult found = found();
    found.getResponses().get(TABLE).addAll(List.of(items));
    return reads.received(asked, found);
  }

  private static BatchGetItemResult found() {
    Map<String, List<Map<String, AttributeValue>>> responses = new HashMap<>();
    responses.put(TABLE, new ArrayList<>());
    return new BatchGetItemResult().withResponses(responses).withUnprocessedKeys(new HashMap<>());
  }

  /** The plugin's read of an entity's ten high ("SH") or low ("SL") marks. */
  private static Map<String, KeysAndAttributes> marks(String kind, String entity) {
    List<Map<String, AttributeValue>> keys = IntStream.range(0, 10)
        .mapToObj(shard -> key("journal-" + kind + "-" + entity + "-" + shard)).toList();
    return Map.of(TABLE, new KeysAndAttributes().withKeys(keys).withConsistentRead(true));
  }

  private static Map<String, AttributeValue> key(String partition) {
    Map<String, AttributeValue> key = new HashMap<>();
    key.put("par", new AttributeValue().withS(partition));
    key.put("num", new AttributeValue().withN("0"));
    return key;
  }

  private static Map<String, AttributeValue> item(String partition, long sequenceNr) {
    Map<String, AttributeValue> item = key(partition);
    item.put("seq", new AttributeValue().withN(Long.toString(sequenceNr)));
    return item;
  }

  private static WriteRequest put(String partition) {
    return new WriteRequest().withPutRequest(new PutRequest().withItem(item(partition, 1)));
  }

  private static List<String> partitions(Map<String, KeysAndAttributes> reads) {
    return reads.get(TABLE).getKeys().stream().map(key -> key.get("par").getS()).toList();
  }
}
