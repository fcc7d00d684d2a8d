package io.parley.archive;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * One cold segment: the messages {@code fromSeq..toSeq} of a conversation, stored as one S3
 * object. The key depends only on the conversation and {@code fromSeq}, so a reader computes it
 * from the conversation's segment list without listing the bucket, and a run retried after a
 * crash overwrites its own unrecorded object instead of leaving a second one behind.
 */
public record Segment(long fromSeq, long toSeq) {
  public static final String PREFIX = "archive/v1/";

  public Segment {
    if (fromSeq < 1 || toSeq < fromSeq) {
      throw new IllegalArgumentException("bad segment " + fromSeq + ".." + toSeq);
    }
  }

  /** {@code archive/v1/<conversation>/<fromSeq, 12 digits>.jsonl.gz}: sorted listings read in seq order. */
  public String key(String conversationId) {
    return prefix(conversationId) + String.format("%012d", fromSeq) + ".jsonl.gz";
  }

  public static String prefix(String conversationId) {
    // Conversation ids are [A-Za-z0-9_.:-]; encoding keeps ':' out of keys for tools that mind it.
    return PREFIX + URLEncoder.encode(conversationId, StandardCharsets.UTF_8) + "/";
  }

  public long size() {
    return toSeq - fromSeq + 1;
  }
}
