package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.DeleteRequest;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.QueryResult;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * When a recovery's replay may be answered from its highest read ({@link RecoveryReads}): the
 * requests are the persistence plugin's own (1.1.0), the items what DynamoDB answers for them.
 * The journal's recoveries through the embedded store are in {@link RecoveryReadsIT}.
 */
class RecoveryReadsTest {
  static final String TABLE = "journal";

  final AtomicLong now = new AtomicLong();
  final RecoveryReads reads = new RecoveryReads(TABLE, 1 << 20, now::get);

  @Test
  void theReplayOfThePartitionJustReadIsAnsweredOnceWithItsRangeInOrder() {
    read("pid-a", 1, IntStream.rangeClosed(0, 42));

    QueryResult replay = reads.replayRead(replay("pid-a", 1, 5, 42)).orElseThrow();
    assertEquals(IntStream.rangeClosed(5, 42).boxed().toList(), sorts(replay));
    assertEquals(38, replay.getCount());
    assertNull(replay.getLastEvaluatedKey());
    assertTrue(reads.replayRead(replay("pid-a", 1, 5, 42)).isEmpty(), "read once");
    assertEquals(0, reads.keptEntities());
  }

  @Test
  void anOlderPartitionOfTheEntityOrAnotherEntitysIsQueriedAsUsual() {
    read("pid-a", 1, IntStream.rangeClosed(0, 42));

    assertTrue(reads.replayRead(replay("pid-a", 0, 96, 99)).isEmpty(), "partition 0");
    assertTrue(reads.replayRead(replay("pid-ab", 1, 0, 42)).isEmpty(), "another entity");
    assertTrue(reads.replayRead(replay("pid-a", 1, 0, 42)).isPresent(), "kept for its own replay");
  }

  @Test
  void theEntitysNextHighestReadReplacesWhatWasKept() {
    read("pid-a", 0, IntStream.rangeClosed(1, 95)); // nothing replayed: the snapshot was the newest
    read("pid-a", 1, IntStream.rangeClosed(0, 5)); // written elsewhere since: 96-105

    assertTrue(reads.replayRead(replay("pid-a", 0, 96, 99)).isEmpty(), "partition 0 is queried again");
    assertEquals(IntStream.rangeClosed(0, 5).boxed().toList(), sorts(reads.replayRead(replay("pid-a", 1, 0, 5)).orElseThrow()));
  }

  @Test
  void aWriteOrDeleteOfTheEntityDropsWhatWasKept() {
    read("pid-a", 0, IntStream.rangeClosed(1, 10));
    read("pid-b", 0, IntStream.rangeClosed(1, 10));
    read("pid-c", 0, IntStream.rangeClosed(1, 10));

    reads.writing(Map.of(TABLE, List.of(new WriteRequest().withPutRequest(new PutRequest().withItem(item("pid-a", 0, 11))))));
    reads.writing(Map.of(TABLE, List.of(new WriteRequest().withDeleteRequest(new DeleteRequest().withKey(item("pid-b", 0, 1))))));
    reads.writing(Map.of("snapshots", List.of(new WriteRequest().withPutRequest(new PutRequest().withItem(item("pid-c", 0, 11))))));

    assertTrue(reads.replayRead(replay("pid-a", 0, 1, 10)).isEmpty(), "written");
    assertTrue(reads.replayRead(replay("pid-b", 0, 1, 10)).isEmpty(), "deleted from");
    assertTrue(reads.replayRead(replay("pid-c", 0, 1, 10)).isPresent(), "another table's write");
  }

  @Test
  void aHighestReadDuringWhichTheEntityWasWrittenOrReadAgainIsNotKept() {
    QueryRequest first = highest("pid-a", 0);
    reads.whole(first);
    reads.writing(TABLE, item("pid-a", 0, 7));
    reads.highestRead(first, result(IntStream.rangeClosed(1, 6)));
    assertTrue(reads.replayRead(replay("pid-a", 0, 1, 6)).isEmpty(), "written while reading");

    QueryRequest one = highest("pid-b", 0);
    QueryRequest two = highest("pid-b", 0);
    reads.whole(one);
    reads.whole(two);
    reads.highestRead(one, result(IntStream.rangeClosed(1, 6)));
    reads.highestRead(two, result(IntStream.rangeClosed(1, 6)));
    assertTrue(reads.replayRead(replay("pid-b", 0, 1, 6)).isEmpty(), "two reads at once");
  }

  @Test
  void aPartitionLargerThanOnePageIsNotKept() {
    QueryRequest request = highest("pid-a", 0);
    reads.whole(request);
    reads.highestRead(request, result(IntStream.rangeClosed(1, 6)).withLastEvaluatedKey(item("pid-a", 0, 6)));
    assertTrue(reads.replayRead(replay("pid-a", 0, 1, 6)).isEmpty());
  }

  @Test
  void whatIsKeptUnreadGoesWithAgeAndBeyondTheByteBound() {
    read("pid-a", 0, IntStream.rangeClosed(1, 10));
    now.addAndGet(RecoveryReads.MAX_AGE_NANOS + 1);
    reads.writing(Map.of(TABLE, List.of(new WriteRequest().withPutRequest(new PutRequest().withItem(item("pid-z", 0, 1))))));
    assertEquals(0, reads.keptEntities(), "a write of another entity lets the old ones go too");
    assertTrue(reads.replayRead(replay("pid-a", 0, 1, 10)).isEmpty(), "too old");

    RecoveryReads small = new RecoveryReads(TABLE, 8_000, now::get);
    for (String pid : List.of("pid-a", "pid-b", "pid-c")) {
      QueryRequest request = highest(pid, 0);
      small.whole(request);
      small.highestRead(request, result(pid, 0, IntStream.rangeClosed(1, 10), 300)); // > 3,000 bytes each
    }
    assertEquals(2, small.keptEntities(), "the oldest went");
    assertTrue(small.replayRead(replay("pid-a", 0, 1, 10)).isEmpty());
    assertTrue(small.replayRead(replay("pid-c", 0, 1, 10)).isPresent());
  }

  @Test
  void onlyThePluginsTwoQueriesAreConcerned() {
    assertTrue(reads.isHighestRead(highest("pid-a", 0)));
    assertFalse(reads.isHighestRead(highest("pid-a", 0).withProjectionExpression("num,pay")));
    assertFalse(reads.isHighestRead(highest("pid-a", 0).withExclusiveStartKey(item("pid-a", 0, 3))), "a next page");
    assertFalse(reads.isHighestRead(highest("pid-a", 0).withTableName("snapshots")));
    assertFalse(reads.isHighestRead(highest("pid-a", 0).withConsistentRead(false)));

    read("pid-a", 0, IntStream.rangeClosed(1, 10));
    assertTrue(reads.replayRead(replay("pid-a", 0, 1, 10).withExclusiveStartKey(item("pid-a", 0, 3))).isEmpty());
    assertTrue(reads.replayRead(replay("pid-a", 0, 1, 10).withFilterExpression("attribute_exists(pay)")).isEmpty());
    assertTrue(reads.replayRead(replay("pid-a", 0, 1, 10)
        .withExpressionAttributeValues(Map.of(":kkey", new AttributeValue(key("pid-a", 0))))).isEmpty(), "no range");
  }

  private void read(String pid, int partition, IntStream sorts) {
    QueryRequest request = highest(pid, partition);
    QueryRequest sent = reads.whole(request);
    assertNull(sent.getProjectionExpression(), "the items whole");
    assertEquals("num", request.getProjectionExpression(), "the plugin's request unchanged");
    reads.highestRead(request, result(pid, partition, sorts, 10));
  }

  /** As the plugin's {@code eventQuery}. */
  static QueryRequest highest(String pid, int partition) {
    return new QueryRequest()
        .withTableName(TABLE)
        .withKeyConditionExpression("par = :kkey")
        .withExpressionAttributeValues(Map.of(":kkey", new AttributeValue(key(pid, partition))))
        .withProjectionExpression("num")
        .withConsistentRead(true);
  }

  /** As the plugin's {@code getPartitionItems}. */
  static QueryRequest replay(String pid, int partition, int from, int to) {
    return new QueryRequest()
        .withTableName(TABLE)
        .withKeyConditionExpression("par = :kkey AND num BETWEEN :startSKey AND :endSKey")
        .withExpressionAttributeValues(Map.of(
            ":kkey", new AttributeValue(key(pid, partition)),
            ":startSKey", new AttributeValue().withN(Integer.toString(from)),
            ":endSKey", new AttributeValue().withN(Integer.toString(to))))
        .withProjectionExpression("par,num,pay,idx,cnt")
        .withConsistentRead(true);
  }

  static QueryResult result(IntStream sorts) {
    return result("any", 0, sorts, 10);
  }

  static QueryResult result(String pid, int partition, IntStream sorts, int payloadBytes) {
    List<Map<String, AttributeValue>> items = sorts
        .mapToObj(sort -> Map.of(
            "par", new AttributeValue(key(pid, partition)),
            "num", new AttributeValue().withN(Integer.toString(sort)),
            "pay", new AttributeValue("x".repeat(payloadBytes))))
        .toList();
    return new QueryResult().withItems(items).withCount(items.size());
  }

  static Map<String, AttributeValue> item(String pid, int partition, int sort) {
    return Map.of("par", new AttributeValue(key(pid, partition)), "num", new AttributeValue().withN(Integer.toString(sort)));
  }

  static String key(String pid, int partition) {
    return "journal-P-" + pid + "-" + partition;
  }

  static List<Integer> sorts(QueryResult result) {
    return result.getItems().stream().map(item -> Integer.parseInt(item.get("num").getN())).toList();
  }
}
