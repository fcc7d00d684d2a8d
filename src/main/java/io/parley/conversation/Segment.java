package io.parley.conversation;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * One cold segment: the messages {@code fromSeq..toSeq} of a conversation, stored as one S3
 * object. The key depends only on the conversation and the range, so a reader computes it from
 * the conversation's segment list without listing the bucket. Messages never change, so two
 * writes of one key write the same bytes; a late write of a run cut short (which may have covered
 * a shorter range from the same start) lands beside the recorded segment, never over it.
 */
public record Segment(long fromSeq, long toSeq) {
  public static final String PREFIX = "archive/v1/";

  public Segment {
    if (fromSeq < 1 || toSeq < fromSeq) {
      throw new IllegalArgumentException("bad segment " + fromSeq + ".." + toSeq);
    }
  }

  /** {@code archive/v1/<conversation>/<fromSeq>-<toSeq>.jsonl.gz} (12 digits each): listings sort in seq order. */
  public String key(String conversationId) {
    return prefix(conversationId) + String.format("%012d-%012d", fromSeq, toSeq) + ".jsonl.gz";
  }

  /** Where segments recorded before keys named the range are: under their start alone. */
  public String legacyKey(String conversationId) {
    return prefix(conversationId) + String.format("%012d", fromSeq) + ".jsonl.gz";
  }

  /** What the keys of every segment starting at {@code fromSeq}, current or legacy, begin with. */
  public String startPrefix(String conversationId) {
    return prefix(conversationId) + String.format("%012d", fromSeq);
  }

  public static String prefix(String conversationId) {
    // Conversation ids are [A-Za-z0-9_.:-]; encoding keeps ':' out of keys for tools that mind it.
    return PREFIX + URLEncoder.encode(conversationId, StandardCharsets.UTF_8) + "/";
  }

  public long size() {
    return toSeq - fromSeq + 1;
  }
}
