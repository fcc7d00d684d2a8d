package io.parley.user;

import java.time.Clock;
import java.util.EnumMap;

/**
 * The user's rate buckets, one per {@link AllowanceKind} for the whole cluster: nodes lease
 * tokens from them a few at a time ({@link UserActor.LeaseAllowance}) and spend them locally, so
 * the user's limits hold however many nodes their devices use, without a round trip to this
 * entity per message, typing notice, group change or presence frame. One more, the users the
 * user's connections newly watch, this entity spends itself ({@link #spendNewWatches}): each
 * subscription asks it anyway, and it knows which users are new to the connection.
 *
 * <p>The rate and burst come with each lease: the gateway owns those settings, this entity only
 * the counts. The buckets are held in memory only: a restart or move of the entity refills them,
 * which lets a user go at most one extra burst of each kind, and is not worth a write per lease.
 * The entity does not passivate while a bucket is refilling (see {@link #full}), so idleness does
 * not refill it.
 */
final class Allowances {
  private final Clock clock;
  private final EnumMap<AllowanceKind, Bucket> buckets = new EnumMap<>(AllowanceKind.class);
  /**
   * Not an {@link AllowanceKind}: those travel in leases, and a node of an earlier version could
   * not read a new one.
   */
  private final Bucket newWatches = new Bucket();

  Allowances(Clock clock) {
    this.clock = clock;
  }

  /**
   * Up to {@code wanted} tokens of the kind; none when its bucket holds less than one, with the wait
   * for one; refused for a kind this version does not know.
   */
  UserActor.AllowanceLease lease(UserActor.LeaseAllowance cmd) {
    if (cmd.kind() == AllowanceKind.UNKNOWN) {
      return UserActor.AllowanceLease.UNKNOWN_KIND; // a later version's kind: no bucket to count it in
    }
    return buckets.computeIfAbsent(cmd.kind(), kind -> new Bucket()).lease(cmd, clock.millis());
  }

  /**
   * Takes {@code count} tokens of the users newly watched, all or none: 0 if taken, else the wait
   * in milliseconds until the bucket holds them.
   */
  long spendNewWatches(int count, UserActor.WatchAllowance allowance) {
    return newWatches.take(count, allowance.perMinute(), allowance.burst(), clock.millis());
  }

  /** No bucket leased from, or all have refilled since: forgetting them would change nothing. */
  boolean full() {
    long now = clock.millis();
    return newWatches.full(now) && buckets.values().stream().allMatch(bucket -> bucket.full(now));
  }

  /** One kind's token bucket: {@code burst} tokens at most, refilled at {@code perMinute}. */
  private static final class Bucket {
    private double tokens;
    private double capacity;
    private double tokensPerMilli;
    private long updatedMillis;
    private boolean started;

    UserActor.AllowanceLease lease(UserActor.LeaseAllowance cmd, long now) {
      refill(now, cmd.burst(), cmd.perMinute());
      int granted = (int) Math.min(Math.max(cmd.wanted(), 1), Math.floor(tokens));
      if (granted >= 1) {
        tokens -= granted;
        return new UserActor.AllowanceLease(granted, 0);
      }
      return new UserActor.AllowanceLease(0, (long) Math.ceil((1 - tokens) / tokensPerMilli));
    }

    /** All {@code count} tokens or none (no more than the burst are asked, so a full bucket always has them). */
    long take(int count, int perMinute, int burst, long now) {
      refill(now, burst, perMinute);
      double wanted = Math.min(count, capacity);
      if (tokens >= wanted) {
        tokens -= wanted;
        return 0;
      }
      return (long) Math.ceil((wanted - tokens) / tokensPerMilli);
    }

    boolean full(long now) {
      return tokens + (now - updatedMillis) * tokensPerMilli >= capacity;
    }

    private void refill(long now, int burst, int perMinute) {
      if (!started) {
        started = true;
        tokens = burst; // a bucket starts full
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
}
