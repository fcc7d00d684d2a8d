package io.parley;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.parley.config.ParleyConfig;
import org.junit.jupiter.api.Test;

/** Settings refused before the node creates or starts anything (its data dir, stores, cluster). */
class StartupSettingsTest {
  private static Config with(String auth) {
    return ConfigFactory.parseString("parley.auth {\n" + auth + "\n}").withFallback(ParleyConfig.load());
  }

  @Test
  void jwksSettingsThatCannotWorkAreRefusedBeforeAnythingStarts() {
    String jwks = "jwks-url = \"https://idp.example/jwks.json\"\n";
    assertDoesNotThrow(() -> Parley.refuseWrongSettings(with(jwks)));
    StartupFailure.Refusal refresh = assertThrows(StartupFailure.Refusal.class,
        () -> Parley.refuseWrongSettings(with(jwks + "jwks-cache-for = 1m\njwks-min-refresh-interval = 1m")));
    assertTrue(refresh.getMessage().contains("parley.auth.jwks-min-refresh-interval"), refresh.getMessage());
    StartupFailure.Refusal grace = assertThrows(StartupFailure.Refusal.class,
        () -> Parley.refuseWrongSettings(with(jwks + "jwks-outage-grace = 1m")));
    assertTrue(grace.getMessage().contains("parley.auth.jwks-outage-grace"), grace.getMessage());
    StartupFailure.Refusal url = assertThrows(StartupFailure.Refusal.class,
        () -> Parley.refuseWrongSettings(with("jwks-url = \"not a url\"")));
    assertTrue(url.getMessage().contains("parley.auth.jwks-url"), url.getMessage());
    // Without a JWKS URL the cache's settings are not used, and not refused.
    assertDoesNotThrow(() -> Parley.refuseWrongSettings(with("jwks-outage-grace = 1m")));
  }
}
