package io.parley.gateway.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.user.UserActor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The export's lines about the user, from what the user entity gave; AccountDataIT runs the route. */
class UserExportTest {
  final UserExport export = new UserExport(null, null, null, null, null, null, null,
      Clock.fixed(Instant.ofEpochMilli(1_700_000_001_000L), ZoneOffset.UTC));

  JsonNode userLine(long lastSeen) {
    return export.aboutTheUser("bob", new UserActor.ExportData(Map.of(), List.of(), List.of(), List.of(), lastSeen)).get(0);
  }

  @Test
  void aUserNeverConnectedHasNoLastSeen() {
    // As in presence (5339889): 0 means never seen, not the epoch.
    JsonNode user = userLine(0);
    assertEquals("user", user.path("type").asText());
    assertEquals("bob", user.path("user_id").asText());
    assertFalse(user.has("last_seen"), user.toString());
  }

  @Test
  void aUserSeenHasTheTime() {
    assertEquals(1_700_000_000_000L, userLine(1_700_000_000_000L).path("last_seen").asLong());
  }
}
