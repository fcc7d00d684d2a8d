package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.user.DeviceEvent;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A token valid for longer than Pekko's scheduler can wait (some 248 days, its ticks counted in
 * an int): an identity provider's token, whose life Parley does not bound, or an HS256 one under
 * a long PARLEY_JWT_MAX_LIFETIME. Run on the real scheduler, as the manual one has no such limit.
 */
class ConnectionLongTokenTest extends ConnectionFixture {
  @Override
  String schedulerConfig() {
    return "";
  }

  @Override
  Duration tokenLifetime() {
    return Duration.ofDays(300);
  }

  @Test
  void aConnectionWhoseTokenLivesLongerThanTheSchedulerWaitsServesOn() {
    registerAndReplay(new Registration(false, 0), 0);
    connection.tell(new DeviceEvent.Typing("d:alice:bob", "alice"));
    assertEquals("typing", nextFrame().get("type").asText());
    // Refreshed with a token living longer still: served on as well.
    connection.tell(new Connection.TokenRefreshed(harness.clock.instant().plus(Duration.ofDays(400))));
    connection.tell(new DeviceEvent.Typing("d:alice:bob", "alice"));
    assertEquals("typing", nextFrame().get("type").asText());
  }
}
