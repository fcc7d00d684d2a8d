package io.parley.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParleyConfigTest {
  private static Config complete(String overrides) {
    Config loaded = ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load());
    return ParleyConfig.complete(loaded, "http://127.0.0.1:8000", "http://127.0.0.1:8001").resolve();
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
  void seedNodesBecomePekkoAddressesAndStorageSettingsReachAllThreePluginSections() {
    Config config = complete("parley.cluster.seed-nodes = \"10.0.0.1:25520, 10.0.0.2:25520\"");
    assertEquals(List.of("pekko://parley@10.0.0.1:25520", "pekko://parley@10.0.0.2:25520"),
        config.getStringList("pekko.cluster.seed-nodes"));
    for (String section : List.of("dynamodb-journal", "dynamodb-snapshot-store", "dynamodb-read-journal")) {
      assertEquals("http://127.0.0.1:8000", config.getString(section + ".endpoint"), section);
    }
    assertTrue(complete("").getStringList("pekko.cluster.seed-nodes").isEmpty());
  }
}
