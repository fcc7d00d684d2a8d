package io.parley.gateway;

import com.typesafe.config.Config;
import java.time.Clock;
import java.util.OptionalLong;

/**
 * Per-user limits on what a client can make the server do for others: messages, typing notices
 * (each fans out to every member), group changes and presence subscriptions (each wakes user
 * entities). The excess is answered with {@code rate_limited} and its {@code retry_after_ms}.
 * Buckets are per node.
 */
public record RateLimits(RateLimiter messages, RateLimiter typing, RateLimiter groupChanges, RateLimiter presence) {

  public static RateLimits from(Config rateLimit, Clock clock) {
    return new RateLimits(
        new RateLimiter(rateLimit.getInt("messages-per-minute"), rateLimit.getInt("burst"), clock),
        new RateLimiter(rateLimit.getInt("typing-per-minute"), rateLimit.getInt("typing-burst"), clock),
        new RateLimiter(rateLimit.getInt("group-changes-per-minute"), rateLimit.getInt("group-changes-burst"), clock),
        new RateLimiter(rateLimit.getInt("presence-per-minute"), rateLimit.getInt("presence-burst"), clock));
  }

  /** Takes one of {@code userId}'s tokens from {@code limiter}, or refuses {@code what}. */
  static void acquire(RateLimiter limiter, String userId, String what) {
    OptionalLong retryAfter = limiter.tryAcquire(userId);
    if (retryAfter.isPresent()) {
      throw new ApiError(ErrorCode.RATE_LIMITED, "too many " + what + "; slow down", retryAfter.getAsLong());
    }
  }
}
