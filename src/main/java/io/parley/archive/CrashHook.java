package io.parley.archive;

import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test hook: halts the JVM right after one step of an archive run, as {@code kill -9} would, so
 * integration tests can prove that a crash between any two steps leaves history whole. Set with
 * {@code PARLEY_ARCHIVE_CRASH_AFTER}; never set in a real deployment.
 */
public final class CrashHook {
  private static final Logger log = LoggerFactory.getLogger(CrashHook.class);

  /** The steps of an archive run, in order. */
  public enum Step {
    /** The segment object is in S3; the conversation has not recorded it. */
    S3_WRITTEN("s3-written"),
    /** {@code SegmentArchived} is in the journal; no snapshot holds it yet. */
    PERSISTED("persisted"),
    /** A snapshot holds the archived range; the journal events are not deleted yet. */
    SNAPSHOTTED("snapshotted"),
    /** The journal events are deleted; {@code JournalTrimmed} is not recorded yet. */
    DELETED("deleted");

    public final String configName;

    Step(String configName) {
      this.configName = configName;
    }

    static Step named(String name) {
      return Arrays.stream(values())
          .filter(step -> step.configName.equals(name))
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown parley.archive.crash-after: " + name));
    }
  }

  private CrashHook() {}

  public static void after(Optional<Step> configured, Step step, String conversationId) {
    if (configured.isPresent() && configured.get() == step) {
      String line = "ARCHIVE CRASH HOOK: halting after " + step.configName + " of " + conversationId;
      log.error(line);
      System.out.println(line);
      System.out.flush();
      Runtime.getRuntime().halt(137);
    }
  }
}
