package io.parley.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParleyConfigTest {
  private static Config complete(String overrides) {
    Config loaded = ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load());
    return ParleyConfig.complete(loaded, "http://127.0.0.1:8000", "http://127.0.0.1:8001").resolve();
  }

  private static Config normalised(String overrides) {
    return ParleyConfig.normalise(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()));
  }

  @Test
  void theDataDirIsMadeAbsoluteAndNormalOnce() {
    Path here = Path.of("").toAbsolutePath();
    assertEquals(here.resolve("data").toString(), normalised("parley.data-dir = \"./data\"").getString("parley.data-dir"));
    assertEquals(here.resolve("x/data").toString(),
        normalised("parley.data-dir = \"x/./y/../data\"").getString("parley.data-dir"));
    assertEquals("/srv/parley", normalised("parley.data-dir = \"/srv/./parley/\"").getString("parley.data-dir"));
  }

  @Test
  void withDevTokensTheApiListensOnLoopbackUnlessToldOtherwise() {
    assertEquals("127.0.0.1", normalised("").getString("parley.http.host"), "the embedded default");
    assertEquals("0.0.0.0", normalised("parley.auth.dev-tokens = off").getString("parley.http.host"));
    assertEquals("0.0.0.0", normalised("parley.auth.dev-tokens = insecure-public").getString("parley.http.host"));
    assertEquals("10.0.0.7", normalised("parley.http.host = \"10.0.0.7\"").getString("parley.http.host"));
  }

  @Test
  void theShutdownPhaseThatDrainsClientsOutlastsTheGracePeriod() {
    for (String grace : List.of("3s", "20s", "90s")) {
      Config config = complete("parley.gateway.drain-grace = " + grace);
      Duration phase = config.getDuration("pekko.coordinated-shutdown.phases.service-requests-done.timeout");
      assertTrue(phase.compareTo(config.getDuration("parley.gateway.drain-grace")) > 0, grace + " -> " + phase);
    }
  }

  @Test
  void theManagementPortListensOnTheNodesAddressOnlyAndIsReadOnly() {
    // As PARLEY_HOST sets it: before the configuration is resolved.
    Config config = ConfigFactory.parseString("pekko.management.http.hostname = \"10.1.2.3\"")
        .withFallback(ConfigFactory.parseResources("application.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    assertEquals("10.1.2.3", config.getString("pekko.management.http.bind-hostname"));
    assertTrue(config.getBoolean("pekko.management.http.route-providers-read-only"));
  }

  @Test
  void seedNodesBecomePekkoAddressesAndStorageSettingsReachAllThreePluginSections() {
    Config config = complete("parley.cluster.seed-nodes = \"10.0.0.1:25520, 10.0.0.2:25520\"");
    assertEquals(List.of("pekko://parley@10.0.0.1:25520", "pekko://parley@10.0.0.2:25520"),
        config.getStringList("pekko.cluster.seed-nodes"));
    for (String section : List.of("dynamodb-journal", "dynamodb-snapshot-store", "dynamodb-read-journal")) {
      assertEquals("http://127.0.0.1:8000", config.getString(section + ".endpoint"), section);
    }
    assertTrue(complete("").getStringList("pekko.cluster.seed-nodes").isEmpty());
  }

  /** Recovery (the journal) and history reads (the read journal) both look past a stale high-water mark. */
  @Test
  void journalAndReadJournalDoNotTrustAPartitionsHighWaterMarkAlone() {
    Config config = complete("");
    for (String section : List.of("dynamodb-journal", "dynamodb-read-journal")) {
      assertTrue(config.getBoolean(section + ".fixes.high-distrust"), section);
    }
  }

  /** A busy store is waited for: neither a shard nor the journal's breaker takes it for a failed one. */
  @Test
  void aSlowStoreIsWaitedForNotTakenForAFailedOne() {
    Config config = complete("");
    assertTrue(config.getDuration("pekko.cluster.sharding.waiting-for-state-timeout").toSeconds() >= 30);
    assertTrue(config.getDuration("pekko.cluster.sharding.updating-state-timeout").toSeconds() >= 30);
    assertTrue(config.getDuration("dynamodb-journal.circuit-breaker.call-timeout").toSeconds() >= 30);
    assertTrue(config.getInt("dynamodb-journal.circuit-breaker.max-failures") >= 100);
  }

  @Test
  void theS3ConnectorUsesAnExplicitEndpointPathStyleOrAwsByRegion() {
    Config local = complete("parley.aws-access-key-id = k1\nparley.aws-secret-access-key = s1");
    assertEquals("http://127.0.0.1:8001", local.getString("pekko.connectors.s3.endpoint-url"));
    assertEquals("path", local.getString("pekko.connectors.s3.access-style"));
    assertEquals("static", local.getString("pekko.connectors.s3.aws.credentials.provider"));
    assertEquals("k1", local.getString("pekko.connectors.s3.aws.credentials.access-key-id"));
    assertEquals("s1", local.getString("pekko.connectors.s3.aws.credentials.secret-access-key"));
    assertEquals("us-east-1", local.getString("pekko.connectors.s3.aws.region.default-region"));

    // Real AWS: no endpoint, no static keys (the default chain, e.g. an instance role).
    Config loaded = ConfigFactory.parseString(
            "parley { dynamodb.embedded = off, s3.embedded = off, s3.region = eu-west-1 }")
        .withFallback(ConfigFactory.load());
    Config aws = ParleyConfig.complete(loaded, "https://dynamodb.eu-west-1.amazonaws.com", "").resolve();
    assertTrue(!aws.hasPath("pekko.connectors.s3.endpoint-url")
        || aws.getString("pekko.connectors.s3.endpoint-url").isEmpty());
    assertEquals("virtual", aws.getString("pekko.connectors.s3.access-style"));
    assertEquals("default", aws.getString("pekko.connectors.s3.aws.credentials.provider"));
    assertEquals("eu-west-1", aws.getString("pekko.connectors.s3.aws.region.default-region"));
  }

  @Test
  void theJournalKeepsOneWriteUnderWayWithTheEmbeddedStoreAndTwoWithDynamoDbUnlessSet() {
    assertEquals(1, complete("").getInt("dynamodb-journal.max-writes-in-flight"));
    assertEquals(2, complete("parley.dynamodb.embedded = off").getInt("dynamodb-journal.max-writes-in-flight"));
    assertEquals(3, complete("dynamodb-journal.max-writes-in-flight = 3").getInt("dynamodb-journal.max-writes-in-flight"));
    assertThrows(IllegalArgumentException.class, () -> complete("dynamodb-journal.max-writes-in-flight = 0"));
  }

  @Test
  void theHttpPortQueuesAReconnectStormRatherThanPekkoHttpsHundred() {
    assertEquals(4096, complete("").getInt("pekko.http.server.backlog"));
    assertEquals(50, complete("parley.gateway.accept-backlog = 50").getInt("pekko.http.server.backlog"));
    assertThrows(IllegalArgumentException.class, () -> complete("parley.gateway.accept-backlog = 0"));
  }

  @Test
  void theMediaLimitIsABytesSettingDefaulting25MiB() {
    assertEquals(25L * 1024 * 1024, complete("").getBytes("parley.media.max-bytes"));
    assertEquals(1000L, complete("parley.media.max-bytes = 1000").getBytes("parley.media.max-bytes"));
  }
}
