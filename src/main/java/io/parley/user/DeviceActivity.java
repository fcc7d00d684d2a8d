package io.parley.user;

import java.time.Clock;
import java.time.Duration;

/** When a device of the user last did something: the user passivates once none has for passivateAfterIdle. */
final class DeviceActivity {
  private final Clock clock;
  private final long idleAfterMillis;
  private long lastMillis;

  DeviceActivity(Clock clock, Duration idleAfter) {
    this.clock = clock;
    this.idleAfterMillis = idleAfter.toMillis();
    this.lastMillis = clock.millis();
  }

  void touch() {
    lastMillis = clock.millis();
  }

  boolean idle() {
    return clock.millis() - lastMillis >= idleAfterMillis;
  }
}
