package io.parley;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.ChatLoad;
import io.parley.testing.ParleyProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit under kill -9: four users pipeline many sends each into a group and two direct
 * conversations, so that every write of a conversation and of a user carries many commands, and
 * the node is killed five times in the middle of it. Every message acked as sent must arrive on
 * every device of every member, under one cursor only (and each cursor with one message only), in
 * seq order, with seqs gapless.
 */
@Tag("on-dynoxide")
class BatchedWritesCrashIT {
  static final int MESSAGES_PER_SENDER = 240;
  static final int WINDOW = 40;

  @TempDir Path temp;

  @Test
  void largeBatchesLoseAndDuplicateNothingAcrossKillNine() throws Exception {
    Map<String, String> env = Map.of(
        "PARLEY_RATE_LIMIT_PER_MINUTE", "100000000", "PARLEY_RATE_LIMIT_BURST", "10000000");
    try (ParleyProcess node = ParleyProcess.start(temp, env); ChatLoad load = new ChatLoad(List.of(node))) {
      String group = load.createGroup("ann", List.of("ben", "cat", "dan"));
      Map<String, List<String>> conversations = Map.of(
          "ann", List.of(group, "d:ann:ben"), "ben", List.of(group, "d:ann:ben"),
          "cat", List.of(group, "d:cat:dan"), "dan", List.of(group, "d:cat:dan"));
      conversations.forEach((user, theirs) -> load.devices(user, theirs, "phone", "laptop"));
      conversations.forEach((user, theirs) -> load.pipelinedSender(user, theirs, MESSAGES_PER_SENDER, WINDOW));

      load.awaitAcked(200);
      String metrics = node.managementBody("/metrics");
      double largest = metric(metrics, "parley_group_commit_commands_max\\{entity=\"conversation\"[^}]*}");
      assertTrue(largest >= 10, "writes must be batched before the kill; largest carried " + largest);
      // Group commit in each entity and across entities: well under one request per message.
      double requests = metric(metrics, "parley_dynamodb_requests_total\\{operation=\"BatchWriteItem\"[^}]*}")
          + metric(metrics, "parley_dynamodb_requests_total\\{operation=\"PutItem\"[^}]*}");
      double accepted = metric(metrics, "parley_messages_accepted_total");
      assertTrue(requests < accepted, requests + " write requests for " + accepted + " messages");
      // More kills, more chances to catch a write between its answer and its commit.
      for (int acked = 350; acked <= 800; acked += 150) {
        node.kill();
        node.launch();
        load.awaitAcked(acked);
      }
      node.kill();
      node.launch();
      int checked = load.verify();
      System.out.printf("BatchedWritesCrashIT: largest conversation write before the first kill carried %.0f"
          + " commands; %d messages acked, %d deliveries checked on %d devices%n",
          largest, load.messagesAcked(), checked, load.deviceCount());
    }
  }

  /** A sample's value in Prometheus text ({@code name} a regex of the name and labels), or 0. */
  private static double metric(String metrics, String name) {
    Matcher sample = Pattern.compile("(?m)^" + name + " (\\S+)").matcher(metrics);
    return sample.find() ? Double.parseDouble(sample.group(1)) : 0;
  }
}
