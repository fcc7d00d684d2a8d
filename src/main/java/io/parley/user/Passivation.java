package io.parley.user;

import io.parley.cluster.EntityLifecycle;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * When the user's entity passivates: once no device of the user has done anything for
 * passivateAfterIdle and the entity holds nothing that would be lost, checked on every {@link Tick}.
 */
final class Passivation {
  /** Time to check: a timer started once the entity is recovered. */
  enum Tick implements UserActor.Internal { INSTANCE }

  private final Clock clock;
  private final Duration idleAfter;
  private final TimerScheduler<UserActor.Command> timers;
  private final EntityLifecycle<UserState> lifecycle;
  private long lastActivityMillis;

  Passivation(Clock clock, Duration idleAfter, TimerScheduler<UserActor.Command> timers,
      EntityLifecycle<UserState> lifecycle) {
    this.clock = clock;
    this.idleAfter = idleAfter;
    this.timers = timers;
    this.lifecycle = lifecycle;
    this.lastActivityMillis = clock.millis();
  }

  /** Once the entity is recovered. */
  void start() {
    timers.startTimerWithFixedDelay(Tick.INSTANCE, idleAfter.dividedBy(4));
  }

  /** A device did something. */
  void touch() {
    lastActivityMillis = clock.millis();
  }

  /** On a {@link Tick}: passivates if no device did anything lately and {@code nothingHeld}. */
  void check(BooleanSupplier nothingHeld) {
    if (clock.millis() - lastActivityMillis >= idleAfter.toMillis() && nothingHeld.getAsBoolean()) {
      lifecycle.passivate();
    }
  }
}
