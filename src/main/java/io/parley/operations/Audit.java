package io.parley.operations;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event per administrative action (who, what, target, outcome; the log line's time is the
 * when) on a logger of its own, {@code parley.audit}, so it can be kept apart from the node's log.
 * Users are named by a digest of their id: the trail must not keep what an erasure removed, and
 * an operator who knows an id can still find its events.
 */
public final class Audit {
  private static final Logger log = LoggerFactory.getLogger("parley.audit");

  private Audit() {}

  /** Records that {@code actor} did {@code action} to {@code target}, with {@code outcome}. */
  public static void record(String actor, String action, String target, String outcome) {
    log.info("audit actor={} action={} target={} outcome={}", actor, action, target, outcome);
  }

  /** How the trail names a user (or anything holding user ids, such as a direct conversation's id). */
  public static String digest(String id) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
