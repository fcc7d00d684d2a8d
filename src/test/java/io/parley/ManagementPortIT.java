package io.parley;

import static io.parley.testing.WsClient.frame;
import static io.parley.testing.WsClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The management port: readiness, liveness, cluster members, metrics, and an operator's erasure. */
class ManagementPortIT extends SharedChatNode {
  @Test
  void managementReportsReadinessLivenessAndTheClusterMembers() throws Exception {
    assertEquals(200, node.managementStatus("/ready"));
    assertEquals(200, node.managementStatus("/alive"));
    JsonNode members = ApiClient.JSON.readTree(node.managementBody("/cluster/members"));
    assertEquals(1, members.get("members").size());
    assertEquals("Up", members.get("members").get(0).get("status").asText());
    // Write routes are off unless an operator turns them on: nobody downs the node from here.
    String self = members.get("selfNode").asText();
    int status = node.managementPut("/cluster/members/" + self, "operation=Down");
    assertTrue(status == 404 || status == 405, "PUT answered " + status);
    assertEquals(200, node.managementStatus("/ready"));
  }

  @Test
  void metricsAreExposedInPrometheusFormat() throws Exception {
    String alice = user("alice");
    try (WsClient ws = connect(alice, "phone")) {
      String conversation = directId(alice, user("bob"));
      ws.request(send(conversation, "metric", "counted"));
      // Alice's own device receives it too: by then it was stored for her and delivered.
      ws.await(msgNew(conversation, 1));
      ws.send(frame("teleport"));
      ws.await(type("error"));
      String metrics = node.managementBody("/metrics");
      for (String metric : List.of("parley_connections", "parley_messages_accepted_total", "parley_messages_delivered_total",
          "parley_send_ack_seconds_bucket", "parley_send_deliver_seconds_bucket", "parley_persist_seconds_bucket",
          "parley_pending_items_bucket", "parley_entities{region=\"conversation\"}", "parley_rejected_total{code=\"unknown_type\"}")) {
        assertTrue(metrics.contains(metric), metric + " in " + metrics.length() + " chars of metrics");
      }
    }
  }

  @Test
  void anOperatorErasesAUserOnTheManagementPortOnlyWhenItsWriteRoutesAreOn(@TempDir Path temp) throws Exception {
    assertEquals(403, node.managementDelete("/admin/users/" + user("alice")).statusCode(), "read-only by default");
    try (ParleyProcess writable = ParleyProcess.start(temp, Map.of("PARLEY_MANAGEMENT_READ_ONLY", "false",
        "PARLEY_MANAGEMENT_ADMIN_TOKEN", "operators-only-token"))) {
      ApiClient writableApi = new ApiClient(writable);
      String alice = user("alice");
      String bob = user("bob");
      String direct = directId(alice, bob);
      ApiClient.Response sent = writableApi.post(writableApi.token(alice), "/v1/messages",
          "{\"conversation_id\":\"" + direct + "\",\"client_msg_id\":\"m1\",\"content\":\"operator test\"}");
      assertEquals(200, sent.status(), sent.toString());

      assertEquals(401, writable.managementDelete("/admin/users/" + alice, null).statusCode(), "no token");
      assertEquals(401, writable.managementDelete("/admin/users/" + alice, "a-guess").statusCode(), "a wrong token");
      String self = ApiClient.JSON.readTree(writable.managementBody("/cluster/members")).get("selfNode").asText();
      assertEquals(401, writable.managementPut("/cluster/members/" + self, "operation=Down", null),
          "Pekko's own write routes need the token too");
      assertEquals(200, writable.managementStatus("/ready"), "nobody downed it");
      var erased = writable.managementDelete("/admin/users/" + alice);
      assertTrue(erased.statusCode() == 202 || erased.statusCode() == 200, erased.body());
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (erased.statusCode() != 200 && System.nanoTime() < deadline) {
        erased = writable.managementDelete("/admin/users/" + alice);
      }
      assertEquals("done", ApiClient.JSON.readTree(erased.body()).get("erasure").asText(), erased.body());
      JsonNode history = writableApi.get(writableApi.token(bob), "/v1/conversations/" + direct + "/messages").body();
      assertEquals("deleted", history.get("messages").get(0).get("content_type").asText(), history.toString());
      String log = java.nio.file.Files.readString(writable.logFile());
      assertTrue(log.contains("audit actor=operator action=erase account target=sha256:"), "the audit trail");
      assertTrue(log.contains("audit actor=unauthenticated action=PUT /cluster/members/"), "refusals are audited");
      assertFalse(log.contains(alice), "no user ids in the log, the audit trail included");
    }
  }
}
