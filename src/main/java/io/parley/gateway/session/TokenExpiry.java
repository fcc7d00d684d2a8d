package io.parley.gateway.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * When a connection's token expires: one timer, set again by each {@code auth.refresh}. Pekko's
 * scheduler refuses a delay past some 248 days (its ticks are counted in an int), and a token may
 * live longer (an identity provider's, whose life Parley does not bound, or an HS256 one under a
 * long maximum lifetime): the timer then fires after a day, and is set again until the expiry.
 */
final class TokenExpiry {
  static final Duration LONGEST_WAIT = Duration.ofDays(1);

  /** The timer's message: {@code remaining}, how long the token lives on once it fires. */
  record Due(Duration remaining) {}

  private final TimerScheduler<Object> timers;
  private final Clock clock;

  TokenExpiry(TimerScheduler<Object> timers, Clock clock) {
    this.timers = timers;
    this.clock = clock;
  }

  /** The connection lives until {@code expiresAt}, in place of any expiry set before. */
  void expireAt(Instant expiresAt) {
    Duration left = Duration.between(clock.instant(), expiresAt);
    arm(left.isNegative() ? Duration.ZERO : left);
  }

  /** The timer fired: true if the token has expired now; if not, the timer is set again. */
  boolean expired(Due due) {
    if (due.remaining().isZero()) {
      return true;
    }
    arm(due.remaining());
    return false;
  }

  private void arm(Duration left) {
    Duration wait = left.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : left;
    timers.startSingleTimer(Due.class, new Due(left.minus(wait)), wait);
  }
}
