package io.parley.gateway;

import com.typesafe.config.Config;
import io.parley.user.AllowanceKind;
import io.parley.user.Users;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Scheduler;

/**
 * Per-user limits on what a client can make the server do for others: messages, typing notices
 * (each fans out to every member), group changes and presence subscriptions (each wakes user
 * entities). The excess is answered with {@code rate_limited} and its {@code retry_after_ms}.
 * The message limit holds across the cluster ({@link AllowanceShares}); the others are per node.
 */
public record RateLimits(AllowanceShares messages, RateLimiter typing, RateLimiter groupChanges, RateLimiter presence) {

  public static RateLimits from(Config rateLimit, Clock clock, Users users, Duration askTimeout, Scheduler scheduler) {
    return new RateLimits(
        new AllowanceShares(AllowanceKind.MESSAGES, rateLimit.getInt("messages-per-minute"), rateLimit.getInt("burst"),
            clock, users, askTimeout, scheduler),
        new RateLimiter(rateLimit.getInt("typing-per-minute"), rateLimit.getInt("typing-burst"), clock),
        new RateLimiter(rateLimit.getInt("group-changes-per-minute"), rateLimit.getInt("group-changes-burst"), clock),
        new RateLimiter(rateLimit.getInt("presence-per-minute"), rateLimit.getInt("presence-burst"), clock));
  }

  /** Takes one of {@code userId}'s tokens from {@code limiter}, or refuses {@code what}. */
  static void acquire(RateLimiter limiter, String userId, String what) {
    refuseIfLimited(limiter.tryAcquire(userId), what);
  }

  /** Completes once one of {@code userId}'s sends is taken; fails with {@code rate_limited} if none is left. */
  CompletionStage<Void> acquireSend(String userId) {
    return messages.tryAcquire(userId).thenAccept(retryAfter -> refuseIfLimited(retryAfter, "messages"));
  }

  private static void refuseIfLimited(OptionalLong retryAfter, String what) {
    if (retryAfter.isPresent()) {
      throw new ApiError(ErrorCode.RATE_LIMITED, "too many " + what + "; slow down", retryAfter.getAsLong());
    }
  }
}
