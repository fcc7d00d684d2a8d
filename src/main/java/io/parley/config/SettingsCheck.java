package io.parley.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import io.parley.limits.ClientAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The settings an operator sets, checked before anything starts (the data dir, the stores, the
 * cluster). Each wrong value is named by its variable (or by its path, for a setting that has
 * none and is set with {@code -D} or a file) in one line. Left to the parts that read them, some
 * failed only after the stores had started, in a library's words ("port has type STRING rather
 * than NUMBER"), and some were taken: a negative limit, a zero interval, a host name where only an
 * address can match.
 */
public final class SettingsCheck {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{\\?(PARLEY_[A-Z0-9_]+)}");

  private SettingsCheck() {}

  /** What one setting must be. */
  private interface Rule {
    /** Whether the value at {@code path} is fine; a value not even of the rule's kind throws. */
    boolean fine(Config config, String path);

    /** What the value must be, in words. */
    String expected();
  }

  private record Checked(String path, Rule rule) {}

  private static final List<Checked> CHECKED = Stream.of(
      each(new Port(), "parley.http.port", "parley.dynamodb.embedded-port", "parley.s3.embedded-port",
          "pekko.remote.artery.canonical.port", "pekko.management.http.port"),
      each(new Flag(), "parley.exit-when-ready", "parley.auth.hs256", "parley.dynamodb.embedded",
          "parley.dynamodb.create-tables", "parley.s3.embedded", "parley.archive.enabled",
          "pekko.management.http.route-providers-read-only"),
      each(new Choice(List.of("seed-nodes", "kubernetes")), "parley.cluster.bootstrap"),
      each(new Choice(List.of("refuse", "allow")), "parley.media.versioned-bucket"),
      each(new Count(1), "parley.archive.calendar-buckets", "parley.conversation.dedup-max-entries",
          "parley.conversation.max-buffered-sends", "parley.conversation.max-content-chars",
          "parley.conversation.snapshot-every", "parley.gateway.edge-limit.addresses-tracked",
          "parley.gateway.max-frame-bytes", "parley.gateway.rate-limit.everyone-mentions-per-minute",
          "parley.gateway.rate-limit.everyone-mentions-burst", "parley.gateway.rate-limit.exports-per-minute",
          "parley.gateway.rate-limit.exports-burst", "parley.gateway.rate-limit.presence-per-minute",
          "parley.gateway.rate-limit.presence-burst", "parley.gateway.rate-limit.typing-per-minute",
          "parley.gateway.rate-limit.typing-burst", "parley.gateway.rate-limit.push-tokens-per-minute",
          "parley.gateway.rate-limit.push-tokens-burst", "parley.media.max-conversations", "parley.media.snapshot-every",
          "parley.push.parallelism", "parley.push.queue-size", "parley.user.erasure-page-size",
          "parley.user.inbox-max-entries", "parley.user.pending-max-items", "parley.user.snapshot-every"),
      each(new Count(1), "parley.gateway.max-connections", "parley.gateway.max-connections-per-address",
          "parley.gateway.accept-backlog",
          "parley.gateway.edge-limit.burst",
          "parley.gateway.rate-limit.messages-per-minute", "parley.gateway.rate-limit.burst",
          "parley.gateway.rate-limit.group-changes-per-minute", "parley.gateway.rate-limit.group-changes-burst",
          "parley.gateway.rate-limit.reads-per-minute", "parley.gateway.rate-limit.reads-burst",
          "parley.gateway.rate-limit.presence-subscriptions-per-minute",
          "parley.media.max-concurrent-uploads", "parley.media.max-storing-uploads",
          "parley.media.max-uploads-per-user", "parley.media.max-concurrent-downloads",
          "parley.media.max-downloads-per-user", "pekko.http.host-connection-pool.max-connections",
          "parley.archive.segment-max-messages", "parley.conversation.max-group-members",
          "parley.conversation.large-group-from", "parley.large-groups.max-live-per-user",
          "parley.push.max-attempts", "parley.push.breaker.max-failures", "parley.user.max-devices",
          "parley.user.max-connected-devices", "parley.user.max-new-devices-per-day",
          "parley.groups.created-per-day", "parley.groups.members-added-per-day",
          "dynamodb-journal.max-reads-in-flight",
          "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"),
      // A connection may name 500 new users in one frame: a smaller burst would refuse that for ever.
      each(new Count(500), "parley.gateway.rate-limit.presence-subscriptions-burst"),
      each(new CountOrUnset(1), "dynamodb-journal.max-writes-in-flight"),
      each(new Count(0), "parley.gateway.known-conversations"),
      each(new Count(0), "parley.privacy.keys-cached", "parley.archive.cache-segments",
          "parley.presence.max-watched-per-user"),
      each(new Rate(), "parley.gateway.edge-limit.per-second"),
      each(new Size(false), "parley.media.max-bytes", "parley.media.min-upload-rate",
          "parley.gateway.max-pending-output-bytes", "parley.gateway.max-body-bytes"),
      each(new Size(false), "parley.user.pending-id-bytes"),
      each(new Size(true), "parley.archive.cache-bytes", "parley.user.inbox-member-bytes",
          "parley.media.disk-reserve"),
      each(new Fraction(), "parley.push.backoff-jitter"),
      each(new Span(false), "parley.auth.max-token-lifetime", "parley.archive.after", "parley.archive.calendar-slot",
          "parley.media.unsent.expire-after", "parley.media.unsent.sweep-every", "parley.gateway.heartbeat",
          "parley.gateway.idle-timeout", "parley.gateway.request-head-timeout", "parley.gateway.body-timeout",
          "parley.gateway.send-timeout",
          "parley.conversation.passivate-after-idle",
          "parley.push.min-backoff", "parley.push.call-timeout", "parley.push.breaker.reset-timeout",
          "parley.user.erasure-resume-interval", "pekko.cluster.split-brain-resolver.stable-after"),
      each(new Span(false), "parley.auth.dev-token-ttl", "parley.auth.jwks-cache-for",
          "parley.conversation.dedup-window", "parley.conversation.handoff-retry-interval",
          "parley.gateway.ask-timeout", "parley.large-groups.relay-check-every", "parley.media.passivate-after-idle",
          "parley.media.upload-grace", "parley.push.max-backoff", "parley.user.device-inactive-after",
          "parley.user.passivate-after-idle"),
      each(new Span(true), "parley.auth.jwks-min-refresh-interval", "parley.auth.jwks-outage-grace", "parley.gateway.reconnect-spread",
          "parley.user.ack-sync-wait", "parley.user.lazy-ack-delay"),
      each(new Span(true), "parley.privacy.key-cache-ttl", "parley.archive.batch-window", "parley.gateway.drain-grace",
          "parley.push.gather-delay", "parley.push.coalesce-window", "parley.push.token-evidence-window"),
      each(new Addresses(), "parley.gateway.trusted-proxies"))
      .flatMap(List::stream)
      .toList();

  /**
   * Every setting above that is wrong, each named by its variable or path; if none is, what
   * {@code owners} (the parts that parse settings of their own: words to choose from, settings that
   * must agree) refuse. Empty if all is well.
   */
  public static List<String> problems(Config config, List<Consumer<Config>> owners) {
    List<Checked> wrong = CHECKED.stream().filter(checked -> !fine(config, checked)).toList();
    if (!wrong.isEmpty()) {
      Map<String, String> variables = variables();
      // The owners are not asked: they would only say the same in other words.
      return wrong.stream().map(checked -> line(config, checked, variables)).toList();
    }
    List<String> problems = new ArrayList<>();
    List<Consumer<Config>> all = new ArrayList<>(owners);
    all.add(settings -> ActorThreads.settings(settings, 1));
    for (Consumer<Config> owner : all) {
      try {
        owner.accept(config);
      } catch (IllegalArgumentException | ConfigException refused) {
        problems.add(refused.getMessage());
      }
    }
    return problems;
  }

  /**
   * Refuses the setting at {@code path} (an IllegalArgumentException with the line the start-up
   * check gives) if it breaks its rule above: for the parts that read a setting after that check,
   * and for configurations made in code.
   */
  static void require(Config config, String path) {
    CHECKED.stream()
        .filter(checked -> checked.path().equals(path) && !fine(config, checked))
        .findFirst()
        .ifPresent(wrong -> {
          throw new IllegalArgumentException(line(config, wrong, variables()));
        });
  }

  private static String line(Config config, Checked wrong, Map<String, String> variables) {
    return name(wrong.path(), variables) + " " + wrong.rule().expected() + ", not \""
        + config.getValue(wrong.path()).unwrapped() + "\"";
  }

  private static boolean fine(Config config, Checked checked) {
    try {
      return checked.rule().fine(config, checked.path());
    } catch (ConfigException.WrongType | ConfigException.BadValue wrongKind) {
      return false;
    }
  }

  /** The settings the rules above check. */
  static Set<String> checkedPaths() {
    return CHECKED.stream().map(Checked::path).collect(Collectors.toSet());
  }

  /** Which variable sets which setting, read from application.conf's own {@code ${?PARLEY_…}}s. */
  static Map<String, String> variables() {
    Map<String, String> variables = new HashMap<>();
    collect(ConfigFactory.parseResources("application.conf").root(), "", variables);
    return variables;
  }

  private static void collect(ConfigObject object, String prefix, Map<String, String> variables) {
    object.forEach((key, value) -> {
      String path = (prefix.isEmpty() ? "" : prefix + ".") + ConfigUtil.joinPath(key);
      if (value instanceof ConfigObject child) {
        collect(child, path, variables);
        return;
      }
      Matcher matcher = VARIABLE.matcher(value.render(ConfigRenderOptions.concise()));
      while (matcher.find()) {
        variables.put(path, matcher.group(1)); // the last one set wins, as in the file
      }
    });
  }

  private static String name(String path, Map<String, String> variables) {
    String variable = variables.get(path);
    return variable == null ? path : variable + " (" + path + ")";
  }

  private static List<Checked> each(Rule rule, String... paths) {
    return Arrays.stream(paths).map(path -> new Checked(path, rule)).toList();
  }

  private record Port() implements Rule {
    public boolean fine(Config config, String path) {
      int port = config.getInt(path);
      return port >= 1 && port <= 65535;
    }

    public String expected() {
      return "must be a port number from 1 to 65535";
    }
  }

  private record Flag() implements Rule {
    public boolean fine(Config config, String path) {
      config.getBoolean(path);
      return true;
    }

    public String expected() {
      return "must be on or off";
    }
  }

  private record Choice(List<String> words) implements Rule {
    public boolean fine(Config config, String path) {
      return words.contains(config.getString(path).strip());
    }

    public String expected() {
      return "must be " + String.join(" or ", words);
    }
  }

  /** Most counts are read as an int, so a larger one was refused only after the stores had started. */
  private record Count(long least) implements Rule {
    public boolean fine(Config config, String path) {
      long count = config.getLong(path);
      return count >= least && count <= Integer.MAX_VALUE;
    }

    public String expected() {
      return "must be a whole number from " + least + " to " + Integer.MAX_VALUE;
    }
  }

  /** A count, or empty for the default the node decides at start. */
  private record CountOrUnset(long least) implements Rule {
    public boolean fine(Config config, String path) {
      return config.getString(path).isBlank() || new Count(least).fine(config, path);
    }

    public String expected() {
      return "must be empty or a whole number from " + least + " to " + Integer.MAX_VALUE;
    }
  }

  private record Rate() implements Rule {
    public boolean fine(Config config, String path) {
      return config.getDouble(path) > 0;
    }

    public String expected() {
      return "must be a number above 0";
    }
  }

  /** A share of something, such as a backoff's jitter. */
  private record Fraction() implements Rule {
    public boolean fine(Config config, String path) {
      double share = config.getDouble(path);
      return share >= 0 && share <= 1;
    }

    public String expected() {
      return "must be a number from 0 to 1";
    }
  }

  private record Size(boolean zeroAllowed) implements Rule {
    public boolean fine(Config config, String path) {
      long bytes = config.getBytes(path);
      return bytes > 0 || zeroAllowed && bytes == 0;
    }

    public String expected() {
      return "must be a size" + (zeroAllowed ? " of 0 or more" : " above 0") + ", such as 4MiB";
    }
  }

  private record Span(boolean zeroAllowed) implements Rule {
    public boolean fine(Config config, String path) {
      Duration span = config.getDuration(path);
      return !span.isNegative() && (zeroAllowed || !span.isZero());
    }

    public String expected() {
      return "must be a duration" + (zeroAllowed ? " of 0 or more" : " above 0") + ", such as 30s or 2m";
    }
  }

  /** Proxies are matched against a connection's peer address, which a host name never equals. */
  private record Addresses() implements Rule {
    public boolean fine(Config config, String path) {
      return Arrays.stream(config.getString(path).split(","))
          .map(String::strip)
          .filter(address -> !address.isEmpty())
          .allMatch(ClientAddress::isLiteral);
    }

    public String expected() {
      return "must list IP addresses separated by commas (a host name never matches a connection)";
    }
  }
}
