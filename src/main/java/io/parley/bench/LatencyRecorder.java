package io.parley.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;

/**
 * Latency samples in microseconds, kept in full (a run has at most a few million) so the
 * percentiles are exact rather than bucketed.
 */
final class LatencyRecorder {
  private long[] micros = new long[1024];
  private int size;

  void recordNanos(long nanos) {
    record(Math.max(0, nanos) / 1000);
  }

  synchronized void record(long microseconds) {
    if (size == micros.length) {
      micros = Arrays.copyOf(micros, size * 2);
    }
    micros[size++] = microseconds;
  }

  synchronized int count() {
    return size;
  }

  /** The samples sorted; a copy, so recording may go on. */
  synchronized long[] sorted() {
    long[] copy = Arrays.copyOf(micros, size);
    Arrays.sort(copy);
    return copy;
  }

  /**
   * The nearest-rank percentile: the smallest sample with at least {@code p}% of the samples at or
   * below it. No interpolation, so every figure reported is a latency that was actually seen.
   */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }

  /** {p50,p95,p99,max} in milliseconds, or all null without samples. */
  ObjectNode toJson() {
    long[] sorted = sorted();
    ObjectNode json = Report.JSON.createObjectNode();
    json.put("count", sorted.length);
    for (String key : new String[] {"p50", "p95", "p99", "max"}) {
      if (sorted.length == 0) {
        json.putNull(key);
      } else {
        double p = key.equals("max") ? 100 : Double.parseDouble(key.substring(1));
        json.put(key, Math.round(percentile(sorted, p) / 10.0) / 100.0);
      }
    }
    return json;
  }
}
