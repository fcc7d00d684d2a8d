package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A stop (SIGTERM) during start-up is a stop, not a failure to start ({@link StopRequest}). */
class StopDuringStartTest {
  private final PrintStream err = System.err;

  @AfterEach
  void restore() {
    System.setErr(err);
    StopRequest.forget();
  }

  /**
   * What the stop cuts short fails (here as Pekko says it of a spawn on a terminating system): no
   * "could not start" line and no halt with status 1, which would also end this test's JVM.
   */
  @Test
  void whatAStopCutsShortIsNotReportedAsAFailureToStart() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
    StopRequest.note();
    StartupFailure.exit(new IllegalStateException("cannot create children while terminating or terminated"));
    assertEquals("", printed.toString(StandardCharsets.UTF_8));
  }
}
