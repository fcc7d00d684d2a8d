package io.parley.user;

import java.util.ArrayList;
import java.util.List;

/**
 * Seqs of one conversation as inclusive from/to pairs, ascending and apart, flattened into one
 * list ({@code [from1, to1, from2, to2, …]}): how events name the messages that became tombstones,
 * a run of one sender's messages costing two numbers however long it is.
 */
final class SeqRanges {
  private SeqRanges() {}

  static List<Long> of(long seq) {
    return List.of(seq, seq);
  }

  /** The ranges of ascending {@code seqs}; null if there are none (as events leave them out). */
  static List<Long> from(List<Long> seqs) {
    if (seqs.isEmpty()) {
      return null;
    }
    List<Long> ranges = new ArrayList<>();
    for (long seq : seqs) {
      if (!ranges.isEmpty() && ranges.get(ranges.size() - 1) == seq - 1) {
        ranges.set(ranges.size() - 1, seq);
      } else {
        ranges.add(seq);
        ranges.add(seq);
      }
    }
    return ranges;
  }

  static boolean covers(List<Long> ranges, long seq) {
    // The last range starting at or before seq is the only one that may hold it.
    int low = 0;
    int high = ranges.size() / 2 - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (ranges.get(2 * mid) <= seq) {
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return high >= 0 && seq <= ranges.get(2 * high + 1);
  }

  /** How many seqs of {@code from..to} the ranges hold. */
  static long countWithin(List<Long> ranges, long from, long to) {
    long count = 0;
    for (int i = 0; i + 1 < ranges.size(); i += 2) {
      count += Math.max(0, Math.min(to, ranges.get(i + 1)) - Math.max(from, ranges.get(i)) + 1);
    }
    return count;
  }
}
