package io.parley.conversation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sparse map from message seq to the journal sequence number of the event that holds it, so a
 * history read touches only the journal range it needs. A checkpoint is kept at most every
 * {@link #SPACING} messages or journal events, which bounds both the index size and the events a
 * read scans beyond what it returns.
 */
public final class JournalIndex {
  static final int SPACING = 64;

  /** Journal sequence numbers (inclusive) to read to find every message in a seq range. */
  public record Range(long fromJournalSeqNr, long toJournalSeqNr) {}

  private final TreeMap<Long, Long> checkpoints;

  public JournalIndex() {
    this(new TreeMap<>());
  }

  @JsonCreator
  public JournalIndex(@JsonProperty("checkpoints") TreeMap<Long, Long> checkpoints) {
    this.checkpoints = checkpoints;
  }

  @JsonProperty("checkpoints")
  Map<Long, Long> checkpoints() {
    return checkpoints;
  }

  /** Records that the event at {@code journalSeqNr} holds messages starting at {@code firstSeq}. */
  public void record(long firstSeq, long journalSeqNr) {
    Map.Entry<Long, Long> last = checkpoints.lastEntry();
    if (last == null
        || firstSeq - last.getKey() >= SPACING
        || journalSeqNr - last.getValue() >= SPACING) {
      checkpoints.put(firstSeq, journalSeqNr);
    }
  }

  public Range locate(long fromSeq, long toSeq, long lastJournalSeqNr) {
    Map.Entry<Long, Long> floor = checkpoints.floorEntry(fromSeq);
    Map.Entry<Long, Long> after = checkpoints.higherEntry(toSeq);
    long from = floor == null ? 1 : floor.getValue();
    long to = after == null ? lastJournalSeqNr : after.getValue() - 1;
    return new Range(from, Math.max(from, to));
  }

  /**
   * Forgets checkpoints of archived messages (their events are about to be deleted). When hot
   * messages remain, {@code hotFromJournalSeqNr} is where reading for the first of them starts:
   * a read must never start below it, since the journal would scan deleted partitions.
   */
  public void archivedThrough(long toSeq, boolean hotRemain, long hotFromJournalSeqNr) {
    checkpoints.headMap(toSeq + 1, true).clear();
    if (hotRemain) {
      checkpoints.put(toSeq + 1, hotFromJournalSeqNr);
    }
  }

  /** The journal sequence number a read of messages from {@code seq} on starts at. */
  public long startFor(long seq) {
    Map.Entry<Long, Long> floor = checkpoints.floorEntry(seq);
    return floor == null ? 1 : floor.getValue();
  }

  JournalIndex copy() {
    return new JournalIndex(new TreeMap<>(checkpoints));
  }
}
