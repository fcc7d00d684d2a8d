package io.parley.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Meters are made once, when the class loads; a registry added later (a node's Prometheus) still gets every value. */
class ParleyMetricsTest {
  @Test
  void metersMadeBeforeARegistryIsAddedRecordIntoIt() {
    ParleyMetrics.messagesAccepted(1); // the meters exist from here on, made before this test's registry
    ParleyMetrics.rejected("bad_request");
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Metrics.addRegistry(meters);
    try {
      ParleyMetrics.messagesAccepted(3);
      ParleyMetrics.messageDelivered(1_000, 1_250);
      ParleyMetrics.sendAcked(Duration.ofMillis(7));
      ParleyMetrics.dynamoDbRequest("Query", 0);
      ParleyMetrics.dynamoDbRequest("TransactWriteItems", 5);
      ParleyMetrics.dynamoDbRequest("TransactWriteItems", 2);
      ParleyMetrics.groupCommit("User", 4);
      ParleyMetrics.pendingItems(9);
      ParleyMetrics.rejected("bad_request");
      ParleyMetrics.rejected("bad_request");

      assertEquals(3.0, meters.get("parley.messages.accepted").counter().count());
      assertEquals(1.0, meters.get("parley.messages.delivered").counter().count());
      assertEquals(250.0, meters.get("parley.send.deliver").timer().totalTime(TimeUnit.MILLISECONDS));
      assertEquals(7.0, meters.get("parley.send.ack").timer().totalTime(TimeUnit.MILLISECONDS));
      assertEquals(1.0, meters.get("parley.dynamodb.requests").tag("operation", "Query").counter().count());
      assertEquals(2.0, meters.get("parley.dynamodb.requests").tag("operation", "TransactWriteItems").counter().count());
      assertEquals(7.0, meters.get("parley.dynamodb.items.written").counter().count());
      assertEquals(4.0, meters.get("parley.group.commit.commands").tag("entity", "User").summary().totalAmount());
      assertEquals(9.0, meters.get("parley.pending.items").summary().totalAmount());
      assertEquals(2.0, meters.get("parley.rejected").tag("code", "bad_request").counter().count());
    } finally {
      Metrics.removeRegistry(meters);
    }
  }

  @Test
  void prometheusScrapesTextWithCountersAndHistograms() {
    ParleyMetrics.installPrometheus();
    ParleyMetrics.messagesAccepted(2);
    ParleyMetrics.sendAcked(Duration.ofMillis(3));
    ParleyMetrics.rejected("unknown_type");
    ParleyMetrics.dynamoDbError("PutItem", "InternalServerError");

    String text = ParleyMetrics.scrape();

    for (String line : new String[] {"# TYPE parley_messages_accepted_total counter",
        "# TYPE parley_send_ack_seconds histogram", "parley_send_ack_seconds_bucket{le=\"+Inf\"}",
        "parley_send_ack_seconds_count", "parley_rejected_total{code=\"unknown_type\"}",
        "parley_dynamodb_errors_total{code=\"InternalServerError\",operation=\"PutItem\"}"}) {
      assertTrue(text.contains(line), line + " in\n" + text);
    }
  }
}
