package io.parley.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the server says about itself: counters from its Prometheus endpoint and, when the bench runs
 * on the server's machine and knows its pid, CPU time and RSS from /proc. Anything unavailable is
 * null, so a run against a server without those metrics still works.
 */
final class ServerStats {
  static final String DYNAMODB_REQUESTS = "parley_dynamodb_requests_total";
  static final String ITEMS_WRITTEN = "parley_dynamodb_items_written_total";
  static final String DELIVERED = "parley_messages_delivered_total";
  /** USER_HZ: /proc/PID/stat counts CPU time in ticks of 1/100 s on every mainstream Linux. */
  private static final double TICKS_PER_SECOND = 100;

  /** One reading; fields are null where unknown. */
  record Snapshot(long nanos, Double dynamoRequests, Double itemsWritten, Double delivered,
      Long cpuTicks, Long rssKib) {}

  private final HttpClient http;
  private final URI metricsUrl;
  private final Long pid;
  private boolean warned;

  ServerStats(HttpClient http, URI metricsUrl, Long pid) {
    this.http = http;
    this.metricsUrl = metricsUrl;
    this.pid = pid;
  }

  boolean knowsProcess() {
    return pid != null;
  }

  Snapshot take() {
    String metrics = scrape();
    return new Snapshot(System.nanoTime(),
        metrics == null ? null : sum(metrics, DYNAMODB_REQUESTS),
        metrics == null ? null : sum(metrics, ITEMS_WRITTEN),
        metrics == null ? null : sum(metrics, DELIVERED),
        cpuTicks(), rssKib());
  }

  /** The server's CPU seconds between two snapshots, or null without --server-pid. */
  static Double cpuSeconds(Snapshot before, Snapshot after) {
    if (before.cpuTicks() == null || after.cpuTicks() == null) {
      return null;
    }
    return (after.cpuTicks() - before.cpuTicks()) / TICKS_PER_SECOND;
  }

  /**
   * A counter's growth between two scrapes. Micrometer registers a counter on first use, so one
   * missing before but present after started from zero; missing after means the server lacks it.
   */
  static Double diff(Double before, Double after) {
    if (after == null) {
      return null;
    }
    return after - (before == null ? 0 : before);
  }

  /**
   * The sum of every sample of {@code metric} in Prometheus' text format, across all label sets;
   * null if there is none. Only exact name matches count ({@code foo_total} does not match
   * {@code foo_total_bar}).
   */
  static Double sum(String text, String metric) {
    Double total = null;
    for (String line : text.split("\n")) {
      if (!line.startsWith(metric) || line.length() == metric.length()) {
        continue;
      }
      char next = line.charAt(metric.length());
      int valueAt;
      if (next == '{') {
        valueAt = endOfLabels(line, metric.length());
      } else if (next == ' ' || next == '\t') {
        valueAt = metric.length();
      } else {
        continue;
      }
      if (valueAt < 0) {
        continue;
      }
      String[] rest = line.substring(valueAt).trim().split("\\s+");
      try {
        double value = Double.parseDouble(rest[0]);
        total = (total == null ? 0 : total) + value;
      } catch (NumberFormatException ignored) {
        // A malformed sample: leave it out rather than fail the run.
      }
    }
    return total;
  }

  /** The index after the closing brace of a label set starting at {@code open}; quotes may hold braces. */
  private static int endOfLabels(String line, int open) {
    boolean quoted = false;
    for (int i = open + 1; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == '}' && !quoted) {
        return i + 1;
      }
    }
    return -1;
  }

  /** utime + stime of /proc/PID/stat, fields 14 and 15; read after the ")" as the name may hold spaces. */
  static long parseCpuTicks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // fields[0] is field 3 (state), so field n is fields[n - 3].
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** VmRSS of /proc/PID/status, in KiB; null if absent (a zombie has none). */
  static Long parseRssKib(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
      }
    }
    return null;
  }

  private Long cpuTicks() {
    String stat = proc("stat");
    return stat == null ? null : parseCpuTicks(stat);
  }

  private Long rssKib() {
    String status = proc("status");
    return status == null ? null : parseRssKib(status);
  }

  private String proc(String file) {
    if (pid == null) {
      return null;
    }
    try {
      return Files.readString(Path.of("/proc", pid.toString(), file));
    } catch (IOException e) {
      warnOnce("cannot read /proc/" + pid + "/" + file + ": " + e);
      return null;
    }
  }

  private String scrape() {
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(metricsUrl).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        return response.body();
      }
      warnOnce("GET " + metricsUrl + " answered " + response.statusCode());
    } catch (IOException e) {
      warnOnce("cannot scrape " + metricsUrl + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return null;
  }

  private synchronized void warnOnce(String warning) {
    if (!warned) {
      warned = true;
      System.err.println("bench: " + warning + " (server figures will be null)");
    }
  }
}
