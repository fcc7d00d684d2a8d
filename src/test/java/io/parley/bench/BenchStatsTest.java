package io.parley.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The bench's arithmetic and parsing: percentiles, Prometheus text, /proc, options. */
class BenchStatsTest {
  private static final String METRICS = """
      # HELP parley_dynamodb_requests_total DynamoDB requests sent, by operation
      # TYPE parley_dynamodb_requests_total counter
      parley_dynamodb_requests_total{operation="BatchWriteItem",} 12.0
      parley_dynamodb_requests_total{operation="Query",} 30.0
      parley_dynamodb_requests_total{operation="odd } \\" label",} 1.0 1700000000000
      parley_dynamodb_requests_total_extra 1000.0
      parley_dynamodb_items_written_total 1.5E3
      parley_messages_delivered_total{} 7
      """;

  @Test
  void nearestRankPercentilesAreSamplesThatWereSeen() {
    long[] sorted = new long[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = i + 1;
    }
    assertEquals(50, LatencyRecorder.percentile(sorted, 50));
    assertEquals(95, LatencyRecorder.percentile(sorted, 95));
    assertEquals(99, LatencyRecorder.percentile(sorted, 99));
    assertEquals(100, LatencyRecorder.percentile(sorted, 100));
    assertEquals(1, LatencyRecorder.percentile(sorted, 0));
    assertEquals(7, LatencyRecorder.percentile(new long[] {7}, 99));
    assertEquals(2, LatencyRecorder.percentile(new long[] {1, 2, 3}, 50));
    assertThrows(IllegalArgumentException.class, () -> LatencyRecorder.percentile(new long[0], 50));
  }

  @Test
  void recorderReportsMillisecondsAndNullsWithoutSamples() {
    LatencyRecorder recorder = new LatencyRecorder();
    assertTrue(recorder.toJson().get("p50").isNull());
    for (int i = 2000; i > 0; i--) {
      recorder.record(i); // microseconds, out of order
    }
    ObjectNode json = recorder.toJson();
    assertEquals(2000, json.get("count").asInt());
    assertEquals(1.0, json.get("p50").asDouble());
    assertEquals(1.9, json.get("p95").asDouble());
    assertEquals(1.98, json.get("p99").asDouble());
    assertEquals(2.0, json.get("max").asDouble());
  }

  @Test
  void prometheusCountersAreSummedAcrossLabelSetsByExactName() {
    assertEquals(43.0, ServerStats.sum(METRICS, ServerStats.DYNAMODB_REQUESTS));
    assertEquals(1500.0, ServerStats.sum(METRICS, ServerStats.ITEMS_WRITTEN));
    assertEquals(7.0, ServerStats.sum(METRICS, ServerStats.DELIVERED));
    assertNull(ServerStats.sum(METRICS, "parley_absent_total"));
    assertNull(ServerStats.sum("", ServerStats.DYNAMODB_REQUESTS));
  }

  @Test
  void aCounterFirstSeenAfterwardsStartedAtZeroAndOneMissingAfterwardsIsUnknown() {
    assertEquals(5.0, ServerStats.diff(10.0, 15.0));
    assertEquals(15.0, ServerStats.diff(null, 15.0));
    assertNull(ServerStats.diff(10.0, null));
    assertNull(ServerStats.diff(null, null));
  }

  @Test
  void procFilesGiveCpuTicksAndRss() {
    String stat = "4242 (java (my server)) S 1 4242 4242 0 -1 4194560 51234 0 12 0 1500 250 0 0 20 0 60 0 12345 "
        + "4000000000 120000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
    assertEquals(1750, ServerStats.parseCpuTicks(stat));
    assertEquals(524288L, ServerStats.parseRssKib("Name:\tjava\nVmPeak:\t 9 kB\nVmRSS:\t  524288 kB\nThreads:\t40\n"));
    assertNull(ServerStats.parseRssKib("Name:\tzombie\n"));
  }

  @Test
  void optionsRecordEffectiveValuesAndRejectTypos() {
    BenchOptions options =
        BenchOptions.parse("pairs", "--pairs", "5", "--window=3", "--url", "http://h:1/", "--windw", "2");
    assertEquals(5, options.integer("pairs", 10));
    assertEquals(3, options.integer("window", 10));
    assertEquals(30, options.number("duration-s", 30));
    assertEquals("http://h:1", options.url().toString());
    assertEquals("ws://h:1/v1/ws?device_id=d", BenchOptions.webSocket(options.url(), "d").toString());
    assertEquals("{\"pairs\":5,\"window\":3,\"duration-s\":30}", options.params().toString());
    IllegalArgumentException typo = assertThrows(IllegalArgumentException.class, options::rejectUnknown);
    assertTrue(typo.getMessage().contains("--windw"), typo.getMessage());
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("pairs", "--pairs", "x").integer("pairs", 1));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--pairs", "1"));
  }

  @Test
  void trackerCountsLossesDuplicatesAndReorderingPerReceiver() {
    DeliveryTracker tracker = new DeliveryTracker(new Await());
    tracker.startMeasuring(0);
    tracker.sent("m0.0", 1_000, 2);
    tracker.sent("m0.1", 2_000, 2);
    tracker.sent("m0.2", 3_000, 1);
    tracker.acked("m0.0");
    tracker.acked("m0.1");
    tracker.delivered("a", "m0.0", "g", 1, 1_000_000);
    tracker.delivered("a", "m0.1", "g", 2, 2_000_000);
    tracker.delivered("b", "m0.1", "g", 2, 2_000_000);
    tracker.delivered("b", "m0.0", "g", 1, 2_500_000); // b gets seq 1 after seq 2
    tracker.delivered("b", "m0.0", "g", 1, 2_600_000); // and again
    assertEquals(2, tracker.orderViolations());
    assertEquals(1, tracker.duplicates());
    assertEquals(0, tracker.lost());
    assertEquals(1, tracker.outstanding(), "m0.2 is owed, but not acked");
    tracker.abandoned("m0.2"); // refused for good: no longer owed, and a late copy is no duplicate
    assertEquals(0, tracker.outstanding());
    tracker.delivered("a", "m0.2", "g", 3, 3_000_000);
    assertEquals(1, tracker.duplicates());
    assertEquals(5, tracker.latency().count());

    tracker.sent("m0.3", 4_000, 1);
    tracker.acked("m0.3");
    assertEquals(1, tracker.lost(), "acked and never delivered");
  }

  @Test
  void aSecondCopyToOneReceiverIsADuplicateAndCannotStandInForAnotherReceiversMissingOne() {
    DeliveryTracker tracker = new DeliveryTracker(new Await());
    tracker.startMeasuring(0);
    tracker.sent("m0.0", 0, 2);
    tracker.acked("m0.0");
    tracker.delivered("a", "m0.0", "g", 1, 1_000_000);
    tracker.delivered("a", "m0.0", "g", 1, 2_000_000);
    assertEquals(1, tracker.duplicates());
    assertEquals(1, tracker.lost(), "b never got it");
    assertEquals(1, tracker.incomplete());
    assertEquals(0, tracker.lastDelivery().count(), "not complete: no last delivery");
  }

  @Test
  void perMessageFirstAndLastDeliveryTimeTheFirstAndTheLastReceiver() {
    DeliveryTracker tracker = new DeliveryTracker(new Await());
    tracker.sent("m0.0", -1_000_000, 2); // before measuring: not timed
    tracker.startMeasuring(0);
    tracker.sent("m0.1", 0, 3);
    tracker.sent("m0.2", 10_000_000, 3);
    tracker.delivered("a", "m0.0", "g", 1, 1_000_000);
    tracker.delivered("b", "m0.0", "g", 1, 1_000_000);
    tracker.delivered("a", "m0.1", "g", 2, 2_000_000);
    tracker.delivered("b", "m0.1", "g", 2, 5_000_000);
    tracker.delivered("c", "m0.1", "g", 2, 9_000_000);
    tracker.delivered("c", "m0.2", "g", 3, 14_000_000);
    tracker.delivered("a", "m0.2", "g", 3, 30_000_000); // b never gets m0.2
    assertEquals(2, tracker.firstDelivery().count());
    assertEquals(2_000, tracker.firstDelivery().sorted()[0], "m0.1: 2 ms, in micros");
    assertEquals(4_000, tracker.firstDelivery().sorted()[1], "m0.2: 4 ms");
    assertEquals(1, tracker.lastDelivery().count(), "m0.2 is incomplete");
    assertEquals(9_000, tracker.lastDelivery().sorted()[0]);
    assertEquals(1, tracker.incomplete());
    assertEquals(0, tracker.lost(), "not acked: incomplete, not lost");
    assertEquals(0, tracker.duplicates());
    assertEquals(0, tracker.orderViolations());
  }

  @Test
  void directConversationIdsSortTheTwoUsers() {
    assertEquals("d:a:b", DirectPairs.direct("b", "a"));
    assertEquals("d:a:b", DirectPairs.direct("a", "b"));
  }
}
