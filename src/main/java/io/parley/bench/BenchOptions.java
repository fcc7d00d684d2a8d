package io.parley.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line: a scenario name, then {@code --name value} pairs. Every option a scenario
 * reads is recorded with its effective value, so the result names the parameters it ran with, and
 * an option nobody read is reported as a typo instead of being silently ignored.
 */
final class BenchOptions {
  /** Where to connect and where to write: not parameters of the load, so not in {@code params}. */
  private static final Set<String> PLUMBING = Set.of("url", "metrics-url", "server-pid", "out");

  final String scenario;
  private final Map<String, String> given = new LinkedHashMap<>();
  private final Set<String> read = new HashSet<>();
  private final ObjectNode params = Report.JSON.createObjectNode();

  private BenchOptions(String scenario) {
    this.scenario = scenario;
  }

  static BenchOptions parse(String... args) {
    if (args.length == 0 || args[0].startsWith("--")) {
      throw new IllegalArgumentException("the first argument names the scenario");
    }
    BenchOptions options = new BenchOptions(args[0]);
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new IllegalArgumentException("expected --option, got " + arg);
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
      options.given.put(name, value);
    }
    return options;
  }

  boolean has(String name) {
    return given.containsKey(name);
  }

  String string(String name, String fallback) {
    String value = given.getOrDefault(name, fallback);
    note(name, value);
    return value;
  }

  int integer(String name, int fallback) {
    return (int) number(name, fallback);
  }

  long number(String name, long fallback) {
    String raw = given.get(name);
    long value;
    try {
      value = raw == null ? fallback : Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer, got " + raw);
    }
    if (value < 0) {
      throw new IllegalArgumentException("--" + name + " must not be negative");
    }
    note(name, value);
    return value;
  }

  double decimal(String name, double fallback) {
    String raw = given.get(name);
    double value;
    try {
      value = raw == null ? fallback : Double.parseDouble(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, got " + raw);
    }
    if (!(value >= 0)) {
      throw new IllegalArgumentException("--" + name + " must not be negative");
    }
    note(name, value);
    return value;
  }

  /** An optional integer (such as --server-pid): null when not given. */
  Long optionalNumber(String name) {
    return has(name) ? number(name, 0) : null;
  }

  URI url() {
    return URI.create(trimSlash(string("url", "http://127.0.0.1:8080")));
  }

  URI metricsUrl() {
    return URI.create(string("metrics-url", "http://127.0.0.1:8558/metrics"));
  }

  /** The WebSocket address of {@code device}: the --url with ws(s) instead of http(s). */
  static URI webSocket(URI base, String deviceId) {
    String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
    return URI.create(scheme + base.toString().substring(base.getScheme().length()) + "/v1/ws?device_id=" + deviceId);
  }

  /** Fails on options no one read: most likely a typo that would otherwise skew a run unnoticed. */
  void rejectUnknown() {
    List<String> unknown = new ArrayList<>();
    for (String name : given.keySet()) {
      if (!read.contains(name)) {
        unknown.add("--" + name);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s) for " + scenario + ": " + String.join(", ", unknown));
    }
  }

  /** The load parameters read so far, with their effective values. */
  ObjectNode params() {
    return params.deepCopy();
  }

  private void note(String name, Object value) {
    read.add(name);
    if (PLUMBING.contains(name) || value == null) {
      return;
    }
    if (value instanceof Long l) {
      params.put(name, l);
    } else if (value instanceof Double d) {
      params.put(name, d);
    } else {
      params.put(name, value.toString());
    }
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
