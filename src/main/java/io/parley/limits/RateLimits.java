package io.parley.limits;

import com.typesafe.config.Config;
import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.user.AllowanceKind;
import io.parley.user.UserActor;
import io.parley.user.Users;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Scheduler;

/**
 * Per-user limits on what a client can make the server do for others: messages, typing notices
 * (each fans out to every member), group changes and presence subscriptions (each wakes user
 * entities). Each holds for the user across the cluster: the user's entity owns one bucket per
 * kind, and this node spends its shares of them ({@link AllowanceShares}). The excess is answered
 * with {@code rate_limited} and its {@code retry_after_ms}. The users newly watched are counted by
 * the user's entity itself, on the allowance named here ({@link #newWatches}).
 */
public final class RateLimits {
  private final Map<AllowanceKind, AllowanceShares> shares;
  private final UserActor.WatchAllowance newWatches;

  private RateLimits(Map<AllowanceKind, AllowanceShares> shares, UserActor.WatchAllowance newWatches) {
    this.shares = shares;
    this.newWatches = newWatches;
  }

  public static RateLimits from(Config rateLimit, Clock clock, Users users, RequestTimeouts timeouts, Scheduler scheduler) {
    Map<AllowanceKind, AllowanceShares> shares = new EnumMap<>(AllowanceKind.class);
    for (AllowanceKind kind : AllowanceKind.counted()) {
      Named named = named(kind);
      int perMinute = rateLimit.getInt(named.perMinute());
      int burst = rateLimit.getInt(named.burst());
      if (kind == AllowanceKind.READS) {
        // Never below sends: raising the send limit (as the benchmark does) raises reads with it.
        perMinute = Math.max(perMinute, rateLimit.getInt("messages-per-minute"));
        burst = Math.max(burst, rateLimit.getInt("burst"));
      }
      shares.put(kind, new AllowanceShares(kind, perMinute, burst,
          clock, users, kind == AllowanceKind.MESSAGES ? timeouts.send() : timeouts.ask(), scheduler));
    }
    return new RateLimits(shares, new UserActor.WatchAllowance(rateLimit.getInt("presence-subscriptions-per-minute"),
        rateLimit.getInt("presence-subscriptions-burst")));
  }

  /**
   * How many users a user's connections may newly watch, which its entity counts as a presence
   * subscription asks it ({@code user/PresenceBudget}): each wakes the watched user's entity
   * however the frames batch them.
   */
  public UserActor.WatchAllowance newWatches() {
    return newWatches;
  }

  /** Completes once one of {@code userId}'s tokens of {@code kind} is taken; fails with {@code rate_limited} if none is left. */
  public CompletionStage<Void> acquire(AllowanceKind kind, String userId) {
    return shares.get(kind).tryAcquire(userId).thenAccept(retryAfter -> {
      if (retryAfter.isPresent()) {
        throw new ApiError(ErrorCode.RATE_LIMITED, "too many " + named(kind).what() + "; slow down",
            retryAfter.getAsLong());
      }
    });
  }

  /** A kind's settings under {@code parley.gateway.rate-limit}, and its name in errors. */
  private record Named(String perMinute, String burst, String what) {}

  private static Named named(AllowanceKind kind) {
    return switch (kind) {
      case MESSAGES -> new Named("messages-per-minute", "burst", "messages");
      case TYPING -> new Named("typing-per-minute", "typing-burst", "typing notices");
      case GROUP_CHANGES -> new Named("group-changes-per-minute", "group-changes-burst", "group changes");
      case PRESENCE -> new Named("presence-per-minute", "presence-burst", "presence changes");
      case EXPORTS -> new Named("exports-per-minute", "exports-burst", "exports");
      case EVERYONE_MENTIONS -> new Named("everyone-mentions-per-minute", "everyone-mentions-burst", "@all mentions");
      case READS -> new Named("reads-per-minute", "reads-burst", "reads");
      case PUSH_TOKENS -> new Named("push-tokens-per-minute", "push-tokens-burst", "push token registrations");
      case UNKNOWN -> throw new IllegalArgumentException("no settings for a kind of a later version");
    };
  }
}
