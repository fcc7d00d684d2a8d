package io.parley.user;

import java.time.Clock;

/**
 * The user's send rate bucket, one for the whole cluster: nodes lease tokens from it a few at a
 * time ({@link UserActor.LeaseSends}) and spend them locally, so the user's limit holds however
 * many nodes their devices use, without a round trip to this entity per message.
 *
 * <p>The rate and burst come with each lease: the gateway owns those settings, this entity only
 * the count. The bucket is held in memory only: a restart or move of the entity refills it, which
 * lets a user send at most one extra burst, and is not worth a write per lease. The entity does not
 * passivate while the bucket is refilling (see {@link #full}), so idleness does not refill it.
 */
final class SendAllowance {
  private final Clock clock;
  private double tokens;
  private double capacity;
  private double tokensPerMilli;
  private long updatedMillis;
  private boolean used;

  SendAllowance(Clock clock) {
    this.clock = clock;
  }

  /** Up to {@code wanted} tokens; none when the bucket holds less than one, with the wait for one. */
  UserActor.SendLease lease(UserActor.LeaseSends cmd) {
    long now = clock.millis();
    refill(now, cmd.burst(), cmd.perMinute());
    int granted = (int) Math.min(Math.max(cmd.wanted(), 1), Math.floor(tokens));
    if (granted >= 1) {
      tokens -= granted;
      return new UserActor.SendLease(granted, 0);
    }
    return new UserActor.SendLease(0, (long) Math.ceil((1 - tokens) / tokensPerMilli));
  }

  /** Nothing leased, or the bucket has refilled since: forgetting it would change nothing. */
  boolean full() {
    return !used || tokens + (clock.millis() - updatedMillis) * tokensPerMilli >= capacity;
  }

  private void refill(long now, int burst, int perMinute) {
    if (!used) {
      used = true;
      tokens = burst;
    } else {
      tokens = tokens + (now - updatedMillis) * tokensPerMilli;
    }
    // A changed configuration takes effect at once; a smaller burst caps what is left.
    capacity = burst;
    tokensPerMilli = perMinute / 60_000.0;
    tokens = Math.min(capacity, tokens);
    updatedMillis = now;
  }
}
