package io.parley.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every setting an operator sets is checked before the node starts anything, and named by its variable. */
class SettingsCheckTest {
  /** Settings whose value is free text: names, hosts, endpoints, files, secrets, lists the node parses itself. */
  private static final Set<String> FREE_TEXT = Set.of(
      "parley.http.host", "parley.data-dir", "parley.embedded-stores.host", "parley.auth.jwt-secret",
      "parley.auth.jwks-url", "parley.auth.issuer", "parley.auth.audience", "parley.auth.dev-tokens",
      "parley.actor-threads.one-pool", "parley.dynamodb.endpoint", "parley.dynamodb.region", "parley.s3.region",
      "parley.dynamodb.journal-table", "parley.dynamodb.snapshot-table", "parley.dynamodb.dedup-table",
      "parley.dynamodb.content-key-table", "parley.dynamodb.erasure-table", "parley.dynamodb.member-index-table",
      "parley.dynamodb.group-members-table", "parley.dynamodb.row-writes", "parley.s3.endpoint", "parley.s3.bucket",
      "parley.archive.crash-after", "parley.management.admin-token", "parley.aws-access-key-id",
      "parley.aws-secret-access-key", "parley.cluster.seed-nodes", "parley.push.apns.key-file",
      "parley.push.apns.key-id", "parley.push.apns.team-id", "parley.push.apns.topic", "parley.push.apns.endpoint",
      "parley.push.apns.trust-cert", "parley.push.fcm.credentials-file", "parley.push.fcm.project-id",
      "parley.push.fcm.endpoint", "parley.groups.adds-by-default", "pekko.management.http.hostname",
      "pekko.remote.artery.canonical.hostname");

  private static List<String> problems(Map<String, String> set) {
    Config config = ConfigFactory.parseMap(set).withFallback(ConfigFactory.load());
    return SettingsCheck.problems(config, List.of());
  }

  /** {@code value} at {@code path} is refused with {@code line}, and nothing else is. */
  private static void refused(String path, String value, String line) {
    assertEquals(List.of(line), problems(Map.of(path, value)));
  }

  @Test
  void theDefaultsPass() {
    assertEquals(List.of(), problems(Map.of()));
  }

  @Test
  void everyVariableOfApplicationConfIsCheckedOrFreeText() {
    Set<String> unchecked = new TreeSet<>(SettingsCheck.variables().keySet());
    unchecked.removeAll(SettingsCheck.checkedPaths());
    unchecked.removeAll(FREE_TEXT);
    assertEquals(Set.of(), unchecked, "a setting with a variable and no rule: give it one in SettingsCheck");
    assertTrue(SettingsCheck.variables().size() > 90, "the variables are read from application.conf");
  }

  /** Settings without a variable are set with -D or a file (docs/configuration.md); they are checked too. */
  @Test
  void everyParleySettingIsCheckedOrFreeText() {
    Set<String> unchecked = new TreeSet<>();
    ConfigFactory.parseResources("application.conf").getConfig("parley").entrySet()
        .forEach(setting -> unchecked.add("parley." + setting.getKey()));
    assertTrue(unchecked.size() > 130, unchecked.toString());
    unchecked.removeAll(SettingsCheck.checkedPaths());
    unchecked.removeAll(FREE_TEXT);
    assertEquals(Set.of(), unchecked, "a setting with no rule: give it one in SettingsCheck");
  }

  @Test
  void aSettingWithoutAVariableIsNamedByItsPath() {
    refused("parley.gateway.max-frame-bytes", "0",
        "parley.gateway.max-frame-bytes must be a whole number from 1 to 2147483647, not \"0\"");
    refused("parley.user.lazy-ack-delay", "-5s",
        "parley.user.lazy-ack-delay must be a duration of 0 or more, such as 30s or 2m, not \"-5s\"");
    refused("parley.push.backoff-jitter", "1.5",
        "parley.push.backoff-jitter must be a number from 0 to 1, not \"1.5\"");
    assertEquals(List.of(), problems(Map.of("parley.push.backoff-jitter", "0", "parley.user.ack-sync-wait", "0s")),
        "zero where zero means something");
  }

  @Test
  void aValueOfTheWrongKindIsNamedByItsVariable() {
    refused("parley.http.port", "abc",
        "PARLEY_HTTP_PORT (parley.http.port) must be a port number from 1 to 65535, not \"abc\"");
    refused("parley.archive.enabled", "maybe",
        "PARLEY_ARCHIVE_ENABLED (parley.archive.enabled) must be on or off, not \"maybe\"");
    refused("parley.gateway.send-timeout", "soon",
        "PARLEY_SEND_TIMEOUT (parley.gateway.send-timeout) must be a duration above 0, such as 30s "
        + "or 2m, not \"soon\"");
    refused("parley.media.max-bytes", "big",
        "PARLEY_MEDIA_MAX_BYTES (parley.media.max-bytes) must be a size above 0, such as 4MiB"
        + ", not \"big\"");
  }

  /** Each of these was taken by the node before: it started and was ready. */
  @Test
  void valuesOutOfRangeAreRefused() {
    refused("parley.http.port", "-1",
        "PARLEY_HTTP_PORT (parley.http.port) must be a port number from 1 to 65535, not \"-1\"");
    refused("parley.gateway.max-connections", "-1",
        "PARLEY_MAX_CONNECTIONS (parley.gateway.max-connections) must be a whole number from 1 to "
        + "2147483647, not \"-1\"");
    // Read as an int: refused only once the stores had started, in the library's words.
    refused("parley.gateway.max-connections", "3000000000",
        "PARLEY_MAX_CONNECTIONS (parley.gateway.max-connections) must be a whole number from 1 to "
        + "2147483647, not \"3000000000\"");
    refused("parley.gateway.heartbeat", "0s",
        "PARLEY_HEARTBEAT (parley.gateway.heartbeat) must be a duration above 0, such as 30s or "
        + "2m, not \"0s\"");
    refused("parley.gateway.drain-grace", "-1s",
        "PARLEY_DRAIN_GRACE (parley.gateway.drain-grace) must be a duration of 0 or more, such as "
        + "30s or 2m, not \"-1s\"");
    refused("parley.media.versioned-bucket", "abc",
        "PARLEY_MEDIA_VERSIONED_BUCKET (parley.media.versioned-bucket) must be refuse or allow, "
        + "not \"abc\"");
    refused("parley.cluster.bootstrap", "k8s",
        "PARLEY_CLUSTER_BOOTSTRAP (parley.cluster.bootstrap) must be seed-nodes or kubernetes, "
        + "not \"k8s\"");
    assertEquals(1, problems(Map.of("parley.gateway.trusted-proxies", "10.0.0.1, proxy.internal")).size(),
        "a host name in the proxies never equals a connection's address");
    assertEquals(List.of(), problems(Map.of("parley.gateway.trusted-proxies", "10.0.0.1, ::1")));
    assertEquals(List.of(), problems(Map.of("parley.archive.batch-window", "0s", "parley.privacy.keys-cached", "0")),
        "zero where zero means something");
    assertEquals(List.of(), problems(Map.of("dynamodb-journal.max-writes-in-flight", "")), "unset: the node decides");
  }

  @Test
  void everyWrongSettingIsListedAndTheOwnersAskedOnlyOnceTheyAreRight() {
    List<String> two = problems(Map.of("parley.http.port", "0", "parley.push.max-attempts", "0"));
    assertEquals(2, two.size(), two.toString());

    Config onePool = ConfigFactory.parseMap(Map.of("parley.actor-threads.one-pool", "maybe"))
        .withFallback(ConfigFactory.load());
    List<String> owner = SettingsCheck.problems(onePool, List.of());
    assertEquals(1, owner.size(), owner.toString());
    assertTrue(owner.get(0).contains("PARLEY_ONE_POOL"), owner.toString());

    Config both = ConfigFactory.parseMap(Map.of("parley.actor-threads.one-pool", "maybe", "parley.http.port", "0"))
        .withFallback(ConfigFactory.load());
    List<String> first = SettingsCheck.problems(both, List.of(config -> {
      throw new AssertionError("an owner asked while a setting it may read is of the wrong kind");
    }));
    assertEquals(1, first.size(), first.toString());
  }
}
