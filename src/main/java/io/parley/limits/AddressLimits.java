package io.parley.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * A token bucket per client address ({@link ClientAddress#share}: an IPv6 client per /64) for
 * what arrives before anyone is known: token requests, and requests whose token failed. Buckets
 * of addresses not heard from for a while are dropped, and at most {@code tracked} are kept, so a
 * spray of addresses cannot grow the heap.
 */
public final class AddressLimits {
  private final double perSecond;
  private final double burst;
  private final Clock clock;
  private final Cache<String, Bucket> buckets;

  public AddressLimits(double perSecond, int burst, long tracked, Clock clock) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("an address limit needs a positive rate and a burst of at least 1");
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.clock = clock;
    Duration refill = Duration.ofMillis((long) Math.ceil(burst / perSecond * 1000)).plusSeconds(1);
    this.buckets = Caffeine.newBuilder().maximumSize(tracked).expireAfterAccess(refill)
        .executor(Runnable::run) // upkeep on the caller: handing it to another pool wakes a thread per request
        .build();
  }

  /**
   * Takes one request's token from {@code address}'s bucket: empty if there was one, else how
   * many seconds until there is (for {@code Retry-After}).
   */
  public OptionalLong take(String address) {
    return bucket(ClientAddress.share(address)).take(clock.millis());
  }

  private Bucket bucket(String address) {
    return buckets.get(address, unknown -> new Bucket(burst, clock.millis()));
  }

  private final class Bucket {
    private double tokens;
    private long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }

    synchronized OptionalLong take(long now) {
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return OptionalLong.empty();
      }
      return OptionalLong.of((long) Math.max(1, Math.ceil((1 - tokens) / perSecond)));
    }

    private void refill(long now) {
      tokens = Math.min(burst, tokens + Math.max(0, now - at) / 1000.0 * perSecond);
      at = now;
    }
  }
}
