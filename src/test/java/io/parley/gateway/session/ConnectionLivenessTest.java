package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.user.DeviceEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection's hold on a client that may be gone or no longer allowed: pinged every heartbeat
 * and closed once silent for two, told and closed when its token expires unless it was refreshed.
 */
class ConnectionLivenessTest extends ConnectionFixture {
  @Test
  void theClientIsPingedEveryHeartbeatAndClosedOnceSilentForTwice() {
    registerAndReplay(new Registration(false, 0), 0);
    time.timePasses(HEARTBEAT);
    assertEquals("ping", liveness.asked.receiveMessage());
    // The client answers nothing from now on: at the next heartbeat it has been silent for 1.5 of them.
    liveness.silentMillis = HEARTBEAT.toMillis() * 3 / 2;
    time.timePasses(HEARTBEAT);
    assertEquals("ping", liveness.asked.receiveMessage());
    // Half a heartbeat later it is silent for two: closed then, not at the next heartbeat.
    liveness.silentMillis = HEARTBEAT.toMillis() * 2;
    time.timePasses(HEARTBEAT.dividedBy(2).minusMillis(1));
    liveness.asked.expectNoMessage(Duration.ofMillis(100));
    time.timePasses(Duration.ofMillis(1));
    assertEquals("close after " + HEARTBEAT.toMillis() * 2 + " ms", liveness.asked.receiveMessage());
  }

  @Test
  void aClientThatAnswersIsPingedButNeverClosed() {
    registerAndReplay(new Registration(false, 0), 0);
    for (int beat = 0; beat < 4; beat++) {
      time.timePasses(HEARTBEAT);
      assertEquals("ping", liveness.asked.receiveMessage());
    }
    liveness.asked.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aConnectionWhoseTokenExpiresIsToldSoAndClosed() {
    registerAndReplay(new Registration(false, 0), 0);
    time.timePasses(TOKEN_LIFETIME);
    JsonNode expired = nextFrame();
    assertEquals("error", expired.get("type").asText());
    assertEquals("unauthorized", expired.get("code").asText());
    assertTrue(socket.receiveMessage() instanceof SocketOutput.Complete);
  }

  @Test
  void aRefreshedTokenKeepsTheConnectionPastTheFirstOnesExpiry() {
    registerAndReplay(new Registration(false, 0), 0);
    connection.tell(new Connection.TokenRefreshed(harness.clock.instant().plus(TOKEN_LIFETIME.multipliedBy(2))));
    time.timePasses(TOKEN_LIFETIME.plusMinutes(1));
    socket.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aTokenLivingDaysIsWaitedForADayAtATimeAndExpiresOnItsDay() {
    registerAndReplay(new Registration(false, 0), 0);
    connection.tell(new Connection.TokenRefreshed(harness.clock.instant().plus(Duration.ofDays(3))));
    for (Duration step : List.of(Duration.ofDays(1), Duration.ofDays(1), Duration.ofDays(1).minusMinutes(1))) {
      time.timePasses(step);
      // Served on; and answered after the timer's message, so the timer was set again.
      connection.tell(new DeviceEvent.Typing("d:alice:bob", "alice"));
      assertEquals("typing", nextFrame().get("type").asText());
    }
    time.timePasses(Duration.ofMinutes(1));
    assertEquals("unauthorized", nextFrame().get("code").asText());
    assertTrue(socket.receiveMessage() instanceof SocketOutput.Complete);
  }
}
