package io.parley.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test nodes' launcher itself: a node that cannot start fails its test at once. */
class ParleyProcessIT {
  @TempDir Path temp;

  @Test
  void aNodeThatExitsBeforeItIsReadyIsReportedAtOnce() {
    IllegalStateException failed = assertThrows(IllegalStateException.class,
        () -> ParleyProcess.start(temp, Map.of("PARLEY_HEARTBEAT", "0s")));
    assertTrue(failed.getMessage().contains("exited with status 1 before it was ready"), failed.getMessage());
  }
}
