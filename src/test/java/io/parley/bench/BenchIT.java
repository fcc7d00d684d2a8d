package io.parley.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ParleyProcess;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench against a real node, in this JVM through {@link Bench#run}: it must deliver, and count
 * no errors, losses or reorderings on a healthy server. Figures are not asserted: they depend on the
 * machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BenchIT {
  ParleyProcess node;

  @BeforeAll
  void startNode(@TempDir Path temp) {
    node = ParleyProcess.start(temp, Map.of(
        "PARLEY_RATE_LIMIT_PER_MINUTE", "100000000", "PARLEY_RATE_LIMIT_BURST", "10000000",
        "PARLEY_MAX_GROUP_MEMBERS", "2000"));
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  private JsonNode bench(String... scenarioAndOptions) throws Exception {
    String[] args = new String[scenarioAndOptions.length + 4];
    System.arraycopy(scenarioAndOptions, 0, args, 0, scenarioAndOptions.length);
    args[scenarioAndOptions.length] = "--url";
    args[scenarioAndOptions.length + 1] = "http://127.0.0.1:" + node.httpPort;
    args[scenarioAndOptions.length + 2] = "--metrics-url";
    args[scenarioAndOptions.length + 3] = "http://127.0.0.1:" + node.managementPort + "/metrics";
    return Bench.run(args);
  }

  private static void assertClean(JsonNode result) {
    assertTrue(result.get("msgs").asLong() > 0, "delivered: " + result);
    assertEquals(0, result.get("errors").get("count").asLong(), "error frames: " + result);
    assertEquals(0, result.get("errors").get("client").get("count").asLong(), "client errors: " + result);
    assertEquals(0, result.get("lost").asLong(), "lost: " + result);
    assertEquals(0, result.get("order_violations").asLong(), "order: " + result);
    assertEquals(0, result.get("duplicates").asLong(), "duplicates: " + result);
  }

  @Test
  void pairsDeliverEverythingInOrder() throws Exception {
    JsonNode result = bench("pairs", "--pairs", "5", "--window", "5", "--warmup-s", "1", "--duration-s", "3");
    assertClean(result);
    assertEquals("pairs", result.get("scenario").asText());
    assertEquals(5, result.get("params").get("pairs").asInt());
    assertTrue(result.get("drained").asBoolean(), "drained: " + result);
    assertEquals(0, result.get("unacked").asLong(), "unacked: " + result);
    assertTrue(result.get("latency_ms").get("count").asLong() > 0, "latency samples: " + result);
    assertTrue(result.get("storage").isObject(), "storage: " + result);
  }

  @Test
  void aGroupBeyondOneCreateIsBuiltInPagesAndEveryOnlineMemberGetsEachMessage() throws Exception {
    JsonNode result = bench("group", "--members", "1500", "--online", "5", "--messages", "20", "--window", "5");
    assertClean(result);
    assertEquals(1, result.get("member_pages").asInt(), "1,000 in the create, 500 in one page: " + result);
    assertEquals(4 * 20, result.get("msgs").asLong(), "msgs: " + result);
    assertEquals(20, result.get("last_delivery_ms").get("count").asLong(), "last_delivery_ms: " + result);
    assertEquals(0, result.get("incomplete").asLong(), "incomplete: " + result);
    assertTrue(result.get("setup_s").asDouble() > 0, "setup_s: " + result);
    assertTrue(result.has("dynamodb_requests_per_sent_msg"), "per sent message: " + result);
  }

  @Test
  void offlineReceiverGetsEveryMessageExactlyOnceInOrder() throws Exception {
    JsonNode result = bench("offline", "--k", "200");
    assertClean(result);
    assertEquals(200, result.get("acked").asLong(), "acked: " + result);
    assertEquals(200, result.get("received").asLong(), "received: " + result);
    assertEquals(200, result.get("msgs").asLong(), "msgs: " + result);
    assertTrue(result.get("exactly_once").asBoolean(), "exactly once: " + result);
  }
}
