package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.DeleteRequest;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.parley.metrics.ParleyMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both ways of writing rows, against the embedded store: every put and delete lands, in requests of their size. */
class RowWritesTest {
  static final String TABLE = "row-writes-test";
  @TempDir static Path dir;
  static LocalDynamoDb local;

  @BeforeAll
  static void start() throws Exception {
    ParleyMetrics.installPrometheus(); // so that DynamoDbRequestCounter's counts can be read
    local = LocalDynamoDb.start(dir, "journal-row-writes-test");
    DynamoDbTables.ensureKeyed(local.sync, TABLE, "c", "u");
  }

  @AfterAll
  static void stop() throws Exception {
    local.close();
  }

  @ParameterizedTest
  @EnumSource(RowWrites.class)
  void writesEveryRowAndDeletesWhatItIsToldTo(RowWrites writes) {
    String group = "g-" + writes;
    double requestsBefore = requests(writes);
    double itemsBefore = itemsWritten();

    writes.writeAll(local.sync, TABLE, IntStream.range(0, 250).mapToObj(i -> put(group, i)).toList());
    writes.writeAll(local.sync, TABLE, IntStream.range(0, 250).filter(i -> i % 2 == 0)
        .mapToObj(i -> new WriteRequest(new DeleteRequest(key(group, i)))).toList());

    List<String> left = local.sync.scan(TABLE, List.of("c", "u")).getItems().stream()
        .filter(item -> item.get("c").getS().equals(group)).map(item -> item.get("u").getS()).sorted().toList();
    assertEquals(IntStream.range(0, 250).filter(i -> i % 2 == 1).mapToObj(RowWritesTest::user).sorted().toList(), left);
    int perRequest = writes == RowWrites.BATCHES ? 25 : 100;
    assertEquals(Math.ceil(250.0 / perRequest) + Math.ceil(125.0 / perRequest), requests(writes) - requestsBefore,
        "requests of " + perRequest);
    assertEquals(250, itemsWritten() - itemsBefore, "puts counted as items written");
  }

  @Test
  void theEmbeddedStoreGetsTransactionsUnlessTheSettingSaysOtherwise() {
    assertEquals(RowWrites.TRANSACTIONS, RowWrites.from(config("on", "")));
    assertEquals(RowWrites.BATCHES, RowWrites.from(config("off", "")));
    assertEquals(RowWrites.BATCHES, RowWrites.from(config("on", "batches")));
    assertEquals(RowWrites.TRANSACTIONS, RowWrites.from(config("off", "transactions")));
    assertThrows(IllegalArgumentException.class, () -> RowWrites.from(config("on", "sometimes")));
  }

  private static com.typesafe.config.Config config(String embedded, String rowWrites) {
    return ConfigFactory.parseMap(Map.of("parley.dynamodb.embedded", embedded, "parley.dynamodb.row-writes", rowWrites));
  }

  private static WriteRequest put(String group, int i) {
    return new WriteRequest(new PutRequest(key(group, i)));
  }

  private static Map<String, AttributeValue> key(String group, int i) {
    return Map.of("c", new AttributeValue(group), "u", new AttributeValue(user(i)));
  }

  private static String user(int i) {
    return String.format("user-%03d", i);
  }

  private static double requests(RowWrites writes) {
    String operation = writes == RowWrites.BATCHES ? "BatchWriteItem" : "TransactWriteItems";
    Counter counter = Metrics.globalRegistry.find("parley.dynamodb.requests").tag("operation", operation).counter();
    return counter == null ? 0 : counter.count();
  }

  private static double itemsWritten() {
    Counter counter = Metrics.globalRegistry.find("parley.dynamodb.items.written").counter();
    return counter == null ? 0 : counter.count();
  }
}
