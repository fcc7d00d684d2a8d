package io.parley.gateway;

import java.time.Clock;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-user token buckets of this node (typing, group changes, presence; sends use {@link
 * AllowanceShares}): {@code burst} tokens, refilled at {@code perMinute}. An idle user's bucket is full
 * and is forgotten, so memory follows active senders only.
 */
public final class RateLimiter {
  private final double capacity;
  private final double tokensPerMilli;
  private final Clock clock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long updatedMillis;

    Bucket(double tokens, long updatedMillis) {
      this.tokens = tokens;
      this.updatedMillis = updatedMillis;
    }
  }

  public RateLimiter(int perMinute, int burst, Clock clock) {
    this.capacity = burst;
    this.tokensPerMilli = perMinute / 60_000.0;
    this.clock = clock;
  }

  /** Takes a token; when none is left, how long until one is. */
  public OptionalLong tryAcquire(String userId) {
    long now = clock.millis();
    long[] retryAfter = {-1};
    buckets.compute(
        userId,
        (id, bucket) -> {
          Bucket b = bucket == null ? new Bucket(capacity, now) : bucket;
          b.tokens = Math.min(capacity, b.tokens + (now - b.updatedMillis) * tokensPerMilli);
          b.updatedMillis = now;
          if (b.tokens >= 1) {
            b.tokens -= 1;
          } else {
            retryAfter[0] = (long) Math.ceil((1 - b.tokens) / tokensPerMilli);
          }
          return b;
        });
    if (buckets.size() > 10_000) {
      forgetFullBuckets(now);
    }
    return retryAfter[0] < 0 ? OptionalLong.empty() : OptionalLong.of(retryAfter[0]);
  }

  private void forgetFullBuckets(long now) {
    buckets.entrySet().removeIf(
        e -> e.getValue().tokens + (now - e.getValue().updatedMillis) * tokensPerMilli >= capacity);
  }
}
