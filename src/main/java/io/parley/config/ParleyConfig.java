package io.parley.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.parley.auth.AuthSettings;
import io.parley.storage.RowWrites;
import io.parley.storage.S3ConnectorSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Completes the loaded configuration with what is decided at start-up: the storage endpoints
 * (embedded or external) and the seed nodes. pekko-persistence-dynamodb derives its snapshot and
 * read-journal settings by substitution in its reference.conf, which is resolved before we know
 * the endpoint, so all three sections are set explicitly here.
 */
public final class ParleyConfig {
  /** For the embedded stores (letters and digits, which every local store accepts); never for AWS. */
  public static final String EMBEDDED_ACCESS_KEY = "parleylocal";

  public static final String EMBEDDED_SECRET_KEY = "parleylocalsecret";

  private ParleyConfig() {}

  /** The configuration as loaded, unchecked: see {@link SettingsCheck}, then {@link #normalise}. */
  public static Config load() {
    return ConfigFactory.load();
  }

  /**
   * Settings decided once, here: the data dir as an absolute path (a relative one is relative to
   * the working directory, and some stores refuse paths with "." in them), and the API's
   * interface when none is set (loopback while dev tokens are on).
   */
  public static Config normalise(Config config) {
    Path dataDir = Path.of(config.getString("parley.data-dir")).toAbsolutePath().normalize();
    String host = config.getString("parley.http.host");
    if (host.isBlank()) {
      host = AuthSettings.from(config.getConfig("parley.auth")).devTokens() == AuthSettings.DevTokens.ON
          ? "127.0.0.1"
          : "0.0.0.0";
    }
    return ConfigFactory.empty()
        .withValue("parley.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString()))
        .withValue("parley.http.host", ConfigValueFactory.fromAnyRef(host.strip()))
        .withFallback(config);
  }

  public static boolean dynamoEmbedded(Config config) {
    return config.getBoolean("parley.dynamodb.embedded");
  }

  public static boolean s3Embedded(Config config) {
    return config.getBoolean("parley.s3.embedded");
  }

  /** The endpoint to use when not embedded: the configured one, else AWS's for the region. */
  public static String externalDynamoEndpoint(Config config) {
    String endpoint = config.getString("parley.dynamodb.endpoint");
    return endpoint.isEmpty()
        ? "https://dynamodb." + config.getString("parley.dynamodb.region") + ".amazonaws.com"
        : endpoint;
  }

  /**
   * {@code dynamodb-journal.max-writes-in-flight}; unset, one with the embedded store and two with
   * DynamoDB (see application.conf).
   */
  static int journalWritesInFlight(Config config) {
    String setting = config.getString("dynamodb-journal.max-writes-in-flight");
    if (setting.isEmpty()) {
      return dynamoEmbedded(config) ? 1 : 2;
    }
    SettingsCheck.require(config, "dynamodb-journal.max-writes-in-flight");
    return config.getInt("dynamodb-journal.max-writes-in-flight");
  }

  /** {@code parley.gateway.accept-backlog}: the listen queue of the HTTP port. */
  static int acceptBacklog(Config config) {
    SettingsCheck.require(config, "parley.gateway.accept-backlog");
    return config.getInt("parley.gateway.accept-backlog");
  }

  /** {@code parley.cluster.seed-nodes} ("host:port,…") as Pekko addresses of this system. */
  static List<String> seedNodes(Config config) {
    return Arrays.stream(config.getString("parley.cluster.seed-nodes").split(","))
        .map(String::trim)
        .filter(seed -> !seed.isEmpty())
        .map(seed -> "pekko://parley@" + seed)
        .toList();
  }

  public static Config complete(Config config, String dynamoEndpoint, String s3Endpoint) {
    boolean localKeys = dynamoEmbedded(config) || s3Embedded(config);
    String key = config.getString("parley.aws-access-key-id");
    String secret = config.getString("parley.aws-secret-access-key");
    if (key.isEmpty() && localKeys) {
      key = EMBEDDED_ACCESS_KEY;
      secret = EMBEDDED_SECRET_KEY;
    }
    String journalTable = config.getString("parley.dynamodb.journal-table");
    String snapshotTable = config.getString("parley.dynamodb.snapshot-table");
    Map<String, Object> overrides = new HashMap<>();
    for (String section : new String[] {"dynamodb-journal", "dynamodb-snapshot-store", "dynamodb-read-journal"}) {
      overrides.put(section + ".endpoint", dynamoEndpoint);
      overrides.put(section + ".aws-access-key-id", key);
      overrides.put(section + ".aws-secret-access-key", secret);
      overrides.put(section + ".journal-table", journalTable);
    }
    overrides.put("dynamodb-snapshot-store.snapshot-table", snapshotTable);
    overrides.put("dynamodb-journal.write-as", RowWrites.from(config).name());
    overrides.put("dynamodb-journal.max-writes-in-flight", journalWritesInFlight(config));
    overrides.put("pekko.cluster.seed-nodes", seedNodes(config));
    // Clients are drained in this shutdown phase: it must outlast the configured grace period.
    overrides.put("pekko.coordinated-shutdown.phases.service-requests-done.timeout",
        config.getDuration("parley.gateway.drain-grace").plusSeconds(5).toMillis() + "ms");
    // The WebSockets beyond parley.gateway.max-connections are refused by Parley itself, with a
    // clear answer; pekko-http's own limit (which just stops accepting) leaves room for HTTP calls.
    overrides.put("pekko.http.server.max-connections", config.getInt("parley.gateway.max-connections") + 1024);
    overrides.put("pekko.http.server.backlog", acceptBacklog(config));
    overrides.putAll(ActorThreads.settings(config, Runtime.getRuntime().availableProcessors()));
    overrides.put("parley.s3.resolved-endpoint", s3Endpoint);
    overrides.put("parley.s3.access-key-id", key);
    overrides.put("parley.s3.secret-access-key", secret);
    // The connector's defaults, for the media endpoint's streams; the cold tier passes the same
    // settings explicitly (S3ConnectorSettings.from).
    S3ConnectorSettings.connectorConfig(s3Endpoint, key, secret, config.getString("parley.s3.region"))
        .forEach((name, value) -> overrides.put("pekko.connectors.s3." + name, value));
    return ConfigFactory.parseMap(overrides).withFallback(config);
  }
}
