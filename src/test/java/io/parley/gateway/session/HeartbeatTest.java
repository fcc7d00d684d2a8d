package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.gateway.session.Heartbeat.Decision;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The tick arithmetic alone; {@link ConnectionLivenessTest} drives the same through the actor's timer. */
class HeartbeatTest {
  static final long BEAT = 30_000;
  final Heartbeat heartbeat = new Heartbeat(Duration.ofMillis(BEAT));

  @Test
  void aClientThatKeepsTalkingGetsOneTickPerBeat() {
    heartbeat.start(0);
    assertEquals(BEAT, heartbeat.delayMillis());
    for (int i = 0; i < 3; i++) {
      assertEquals(Decision.BEAT, heartbeat.tick(100));
      assertEquals(BEAT, heartbeat.delayMillis());
    }
  }

  @Test
  void aSilentClientIsClosedAtTwiceTheHeartbeatNotAtTheThirdBeat() {
    heartbeat.start(0);
    assertEquals(Decision.BEAT, heartbeat.tick(BEAT));
    // Silent since attach: the idle deadline comes with the second beat.
    assertEquals(BEAT, heartbeat.delayMillis());
    assertEquals(Decision.CLOSE, heartbeat.tick(2 * BEAT));
  }

  @Test
  void aTickComesEarlyWhenTheClientWouldTurnIdleBeforeTheNextBeat() {
    heartbeat.start(0);
    // Heard last 50 s ago at a beat: idle in 10 s, before the next beat in 30 s.
    assertEquals(Decision.BEAT, heartbeat.tick(50_000));
    assertEquals(10_000, heartbeat.delayMillis());
    // It spoke meanwhile: no beat yet, and the next tick is the beat, 20 s on.
    assertEquals(Decision.WAIT, heartbeat.tick(2_000));
    assertEquals(20_000, heartbeat.delayMillis());
    assertEquals(Decision.BEAT, heartbeat.tick(5_000));
    assertEquals(BEAT, heartbeat.delayMillis());
  }

  @Test
  void theNextDelayFollowsTheReadingTheTickDecidedOn() {
    heartbeat.start(0);
    // 59.999 s silent is not idle yet; the next tick is the very next millisecond, never zero.
    assertEquals(Decision.BEAT, heartbeat.tick(2 * BEAT - 1));
    assertEquals(1, heartbeat.delayMillis());
    assertEquals(Decision.CLOSE, heartbeat.tick(2 * BEAT));
  }
}
