package io.parley.conversation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which of a conversation's messages are cold, as part of the ConversationActor's state.
 * Archiving always continues where the last segment ended, so the segments tile
 * {@code 1..archivedThrough()} and only their ends need keeping: one number per segment, which
 * keeps the snapshot small (a year of daily segments is a few kilobytes).
 */
public final class ColdSegments {
  private long[] ends;

  public ColdSegments() {
    this(new long[0]);
  }

  @JsonCreator
  public ColdSegments(@JsonProperty("ends") long[] ends) {
    this.ends = ends == null ? new long[0] : ends;
  }

  @JsonProperty("ends")
  long[] ends() {
    return ends;
  }

  /** The highest archived seq; 0 when nothing is cold. */
  public long archivedThrough() {
    return ends.length == 0 ? 0 : ends[ends.length - 1];
  }

  public int count() {
    return ends.length;
  }

  /**
   * Records {@code segment}, which must continue the archived range. A segment already recorded
   * (a replayed or repeated event) changes nothing.
   */
  public void add(Segment segment) {
    if (segment.toSeq() <= archivedThrough()) {
      return;
    }
    if (segment.fromSeq() != archivedThrough() + 1) {
      throw new IllegalStateException(
          "segment " + segment + " does not continue the archive at " + archivedThrough());
    }
    ends = Arrays.copyOf(ends, ends.length + 1);
    ends[ends.length - 1] = segment.toSeq();
  }

  /** The segments holding any of {@code fromSeq..toSeq}, ascending. */
  public List<Segment> overlapping(long fromSeq, long toSeq) {
    List<Segment> result = new ArrayList<>();
    int i = Arrays.binarySearch(ends, fromSeq);
    // The first segment ending at or after fromSeq.
    for (int at = i >= 0 ? i : -i - 1; at < ends.length; at++) {
      long start = at == 0 ? 1 : ends[at - 1] + 1;
      if (start > toSeq) {
        break;
      }
      result.add(new Segment(start, ends[at]));
    }
    return result;
  }

  public ColdSegments copy() {
    return new ColdSegments(ends.clone());
  }
}
