package io.parley.archive;

import io.parley.conversation.ColdArchive.Step;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test hook: halts the JVM right after one step of an archive run, as {@code kill -9} would, so
 * integration tests can prove that a crash between any two steps leaves history whole. Set with
 * {@code PARLEY_ARCHIVE_CRASH_AFTER=<step>} or {@code <step>:<conversation id>} (only that
 * conversation's run halts, so a test can crash one run while earlier ones resume). Never set in
 * a real deployment.
 */
public final class CrashHook {
  private static final Logger log = LoggerFactory.getLogger(CrashHook.class);

  public static final CrashHook NONE = new CrashHook(null, null);

  private final Step step;
  private final String conversationId; // null: any conversation

  private CrashHook(Step step, String conversationId) {
    this.step = step;
    this.conversationId = conversationId;
  }

  public static CrashHook parse(String setting) {
    if (setting.isEmpty()) {
      return NONE;
    }
    int colon = setting.indexOf(':');
    String name = colon < 0 ? setting : setting.substring(0, colon);
    Step step = Arrays.stream(Step.values())
        .filter(s -> s.configName.equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown parley.archive.crash-after step: " + name));
    return new CrashHook(step, colon < 0 ? null : setting.substring(colon + 1));
  }

  public void after(Step done, String conversationId) {
    if (done == step && (this.conversationId == null || this.conversationId.equals(conversationId))) {
      String line = "ARCHIVE CRASH HOOK: halting after " + done.configName + " of " + conversationId;
      log.error(line);
      System.out.println(line);
      System.out.flush();
      Runtime.getRuntime().halt(137);
    }
  }
}
