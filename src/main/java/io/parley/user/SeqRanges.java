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

  /** The seqs of {@code ranges} within {@code from..to} that {@code known} (null: none) does not hold; null if none. */
  static List<Long> newWithin(List<Long> ranges, List<Long> known, long from, long to) {
    List<Long> fresh = new ArrayList<>();
    for (int i = 0; i + 1 < ranges.size(); i += 2) {
      long next = Math.max(from, ranges.get(i));
      long end = Math.min(to, ranges.get(i + 1));
      for (int k = 0; known != null && k + 1 < known.size() && next <= end; k += 2) {
        if (known.get(k + 1) < next || known.get(k) > end) {
          continue;
        }
        if (known.get(k) > next) {
          fresh.add(next);
          fresh.add(known.get(k) - 1);
        }
        next = known.get(k + 1) + 1;
      }
      if (next <= end) {
        fresh.add(next);
        fresh.add(end);
      }
    }
    return fresh.isEmpty() ? null : fresh;
  }

  /** Both as ranges (either may be null), the oldest dropped beyond {@code maxRanges}; null if none. */
  static List<Long> union(List<Long> a, List<Long> b, int maxRanges) {
    List<long[]> all = new ArrayList<>();
    for (List<Long> ranges : new List[] {a, b}) {
      for (int i = 0; ranges != null && i + 1 < ranges.size(); i += 2) {
        all.add(new long[] {ranges.get(i), ranges.get(i + 1)});
      }
    }
    all.sort((x, y) -> Long.compare(x[0], y[0]));
    List<Long> merged = new ArrayList<>();
    for (long[] r : all) {
      int last = merged.size() - 1;
      if (last > 0 && r[0] <= merged.get(last) + 1) {
        merged.set(last, Math.max(merged.get(last), r[1]));
      } else {
        merged.add(r[0]);
        merged.add(r[1]);
      }
    }
    int drop = Math.max(0, merged.size() / 2 - maxRanges);
    return merged.size() == 2 * drop ? null : List.copyOf(merged.subList(2 * drop, merged.size()));
  }

  /** The seqs of {@code ranges} (null: none) after {@code seq}; null if none. */
  static List<Long> after(List<Long> ranges, long seq) {
    if (ranges == null) {
      return null;
    }
    List<Long> kept = new ArrayList<>();
    for (int i = 0; i + 1 < ranges.size(); i += 2) {
      if (ranges.get(i + 1) > seq) {
        kept.add(Math.max(seq + 1, ranges.get(i)));
        kept.add(ranges.get(i + 1));
      }
    }
    return kept.isEmpty() ? null : kept;
  }
}
