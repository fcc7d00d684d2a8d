package io.parley.store;

import static io.parley.store.StoreFixture.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kill -9 at a random instant loses no acknowledged write: a child JVM writes through the
 * in-process door and prints each key the store acknowledged; the parent kills it, reopens the
 * store and finds every one of those keys.
 */
class CrashTest {
  @TempDir Path dir;

  @Test
  void everyAcknowledgedWriteSurvivesKillNine() throws Exception {
    Random random = new Random();
    for (int round = 0; round < 2; round++) {
      int killAfter = 200 + random.nextInt(1500);
      List<String> acknowledged = runAndKill(killAfter);
      assertTrue(acknowledged.size() >= killAfter, "acknowledged " + acknowledged.size());
      try (EmbeddedStore store = EmbeddedStore.open(dir)) {
        AmazonDynamoDB dynamo = store.inProcessClient();
        List<String> lost = new ArrayList<>();
        for (String key : acknowledged) {
          if (dynamo.getItem("crash", item("k", key)).getItem() == null) {
            lost.add(key);
          }
        }
        assertEquals(List.of(), lost, "acknowledged writes lost after kill -9 (round " + round + ", "
            + acknowledged.size() + " acknowledged)");
      }
    }
  }

  private List<String> runAndKill(int killAfter) throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Daws.java.v1.disableDeprecationAnnouncement=true",
        CrashChild.class.getName(), dir.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    List<String> acknowledged = new ArrayList<>();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("ACK ")) {
          acknowledged.add(line.substring(4));
          if (acknowledged.size() == killAfter) {
            // kill -9 itself: Process.destroyForcibly would also close the pipe still holding acknowledgements.
            new ProcessBuilder("kill", "-9", Long.toString(child.pid())).inheritIO().start().waitFor();
          }
        }
      }
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }
    return acknowledged;
  }
}
