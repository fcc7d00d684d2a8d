package io.parley;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.ChatLoad;
import io.parley.testing.ParleyProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the node's process (SIGKILL) twice while three users send to a direct conversation and a
 * group, restarts it on the same data dir each time, and then checks the delivery guarantee on
 * every device: every message acked as sent arrived, under one cursor only, in seq order within
 * its conversation, with seqs gapless.
 */
@Tag("on-dynoxide")
class CrashRecoveryIT {
  static final int MESSAGES_PER_CONVERSATION = 60;

  @TempDir Path temp;

  /**
   * On a node that sees one core, as the benchmark's node does: it runs every actor on one thread
   * ({@code ActorThreads}), which the other ITs' nodes (two cores) do not.
   */
  @Test
  void nothingAckedIsLostOrDuplicatedAcrossKillNine() throws IOException {
    // The send limit lifted: at its default (50 a minute after a burst of 20) the senders spent
    // over a minute being told to slow down after the second restart, which tests nothing here.
    Map<String, String> env = Map.of("PARLEY_RATE_LIMIT_PER_MINUTE", "100000000", "PARLEY_RATE_LIMIT_BURST", "10000000");
    try (ParleyProcess node = ParleyProcess.start(temp, env, List.of("-XX:ActiveProcessorCount=1"))) {
      assertTrue(Files.readString(node.logFile()).contains("Actors run on one pool of 1 thread(s)"),
          "the node runs its actors on one thread");
      chatThroughTwoKills(node);
    }
  }

  private static void chatThroughTwoKills(ParleyProcess node) {
    try (ChatLoad load = new ChatLoad(List.of(node))) {
      String group = load.createGroup("alice", List.of("bob", "carol"));
      String direct = "d:alice:bob";
      load.devices("alice", List.of(direct, group), "phone", "laptop");
      load.devices("bob", List.of(direct, group), "phone", "laptop");
      load.devices("carol", List.of(group), "phone", "laptop");
      load.sender("alice", List.of(direct, group), 2 * MESSAGES_PER_CONVERSATION);
      load.sender("bob", List.of(direct, group), 2 * MESSAGES_PER_CONVERSATION);
      load.sender("carol", List.of(group), MESSAGES_PER_CONVERSATION);

      int kills = 0;
      for (int threshold : new int[] {40, 110}) {
        load.awaitAcked(threshold);
        node.kill();
        kills++;
        node.launch();
      }
      int checked = load.verify();
      System.out.printf("CrashRecoveryIT: %d kills, %d messages acked, %d deliveries checked on %d devices%n",
          kills, load.messagesAcked(), checked, load.deviceCount());
    }
  }
}
