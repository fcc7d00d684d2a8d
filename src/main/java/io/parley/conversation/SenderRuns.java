package io.parley.conversation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Who sent which messages, as runs of consecutive seqs from one sender, so receipts go to the
 * senders of the messages they cover. Runs wholly below every member's receipt watermarks are no
 * longer needed and are trimmed; beyond {@link #MAX_RUNS} the oldest go too (a member who never
 * reads must not grow the conversation's snapshot without bound), and a receipt for messages
 * that old notifies no one of them.
 */
public final class SenderRuns {
  /** A constant, not a setting: the event handler that appends must give the same state on replay. */
  static final int MAX_RUNS = 2_000;

  private final TreeMap<Long, String> runStarts;

  public SenderRuns() {
    this(new TreeMap<>());
  }

  @JsonCreator
  public SenderRuns(@JsonProperty("runStarts") TreeMap<Long, String> runStarts) {
    this.runStarts = runStarts;
  }

  @JsonProperty("runStarts")
  Map<Long, String> runStarts() {
    return runStarts;
  }

  public void append(long seq, String senderId) {
    Map.Entry<Long, String> last = runStarts.lastEntry();
    if (last == null || !last.getValue().equals(senderId)) {
      runStarts.put(seq, senderId);
      if (runStarts.size() > MAX_RUNS) {
        runStarts.pollFirstEntry();
      }
    }
  }

  /** Senders of messages with seq in (afterSeq, upToSeq]. */
  public Set<String> sendersBetween(long afterSeq, long upToSeq) {
    Set<String> senders = new LinkedHashSet<>();
    Long start = runStarts.floorKey(afterSeq + 1);
    for (Map.Entry<Long, String> run :
        runStarts.subMap(start == null ? Long.MIN_VALUE : start, true, upToSeq, true).entrySet()) {
      senders.add(run.getValue());
    }
    return senders;
  }

  /**
   * The seqs in (afterSeq, upToSeq] that {@code senderId} sent, as inclusive from/to pairs
   * ({@code [from1, to1, from2, to2, …]}), ascending; the newest run runs through {@code upToSeq}.
   * Runs already trimmed are not known: the pairs hold only what is kept.
   */
  public List<Long> runsOf(String senderId, long afterSeq, long upToSeq) {
    List<Long> ranges = new ArrayList<>();
    forEachRun(afterSeq, upToSeq, (from, to, sender) -> {
      if (sender.equals(senderId)) {
        ranges.add(from);
        ranges.add(to);
      }
    });
    return ranges;
  }

  /** One sender's consecutive seqs {@code from..to}. */
  interface RunVisitor {
    void visit(long from, long to, String senderId);
  }

  /** The kept runs, cut to (afterSeq, upToSeq], oldest first; the newest runs through {@code upToSeq}. */
  void forEachRun(long afterSeq, long upToSeq, RunVisitor visitor) {
    Long first = runStarts.floorKey(afterSeq + 1);
    for (Map.Entry<Long, String> run :
        runStarts.subMap(first == null ? Long.MIN_VALUE : first, true, upToSeq, true).entrySet()) {
      Long next = runStarts.higherKey(run.getKey());
      long from = Math.max(run.getKey(), afterSeq + 1);
      long to = next == null ? upToSeq : Math.min(next - 1, upToSeq);
      if (from <= to) {
        visitor.visit(from, to, run.getValue());
      }
    }
  }

  /** Who sent {@code seq}; null if its run is no longer kept. */
  String senderOf(long seq) {
    Map.Entry<Long, String> run = runStarts.floorEntry(seq);
    return run == null ? null : run.getValue();
  }

  /** Forgets runs that end at or before {@code seq}. */
  public void trimThrough(long seq) {
    Long keep = runStarts.floorKey(seq + 1);
    if (keep != null) {
      runStarts.headMap(keep, false).clear();
    }
  }

  SenderRuns copy() {
    return new SenderRuns(new TreeMap<>(runStarts));
  }
}
