package io.parley.limits;

import io.parley.cluster.Asks;
import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.user.AllowanceKind;
import io.parley.user.UserActor;
import io.parley.user.Users;
import java.time.Clock;
import java.util.ArrayDeque;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.Scheduler;

/**
 * This node's shares of its users' buckets of one {@link AllowanceKind}. The bucket is the user
 * entity's (see {@code user/Allowances}), one for the whole cluster; this node leases a few tokens
 * at a time and spends them here, so a send (or typing notice, group change, presence frame) costs
 * a local decrement and only one in a lease a round trip to the user's entity, wherever it lives.
 *
 * <p>Every token spent anywhere came out of the one bucket, so a user's sustained rate holds
 * across the cluster exactly. A share left unspent on a node (fewer than a lease) lapses after
 * {@link #SHARE_LIFETIME}, or the time the bucket takes to fill if that is longer: a user
 * switching nodes may exceed one burst by at most that remainder per node. A refusal is
 * remembered until the bucket holds a token again, so a flood of excess costs no round trips
 * either.
 */
final class AllowanceShares {
  /** Large enough that lifted limits (bench) rarely ask, small enough that little lies idle. */
  static final int MAX_LEASE = 50;
  /** How long a node keeps an unspent share, at least (longer when the bucket fills slower). */
  static final Duration SHARE_LIFETIME = Duration.ofMinutes(10);

  private final AllowanceKind kind;
  private final int perMinute;
  private final int burst;
  private final int leaseSize;
  private final long shareLifetimeMillis;
  private final Clock clock;
  private final Users users;
  private final Duration askTimeout;
  private final Scheduler scheduler;
  private final ConcurrentHashMap<String, Share> shares = new ConcurrentHashMap<>();

  private static final class Share {
    int tokens;
    long expiresAt;
    long refusedUntil;
    boolean leasing;
    /**
     * Requests waiting for the lease under way, in arrival order: they go ahead in that order (a
     * connection's pipelined sends keep their order), and no later one overtakes them.
     */
    final ArrayDeque<CompletableFuture<OptionalLong>> waiting = new ArrayDeque<>();
  }

  AllowanceShares(AllowanceKind kind, int perMinute, int burst, Clock clock, Users users, Duration askTimeout,
      Scheduler scheduler) {
    this.kind = kind;
    this.perMinute = perMinute;
    this.burst = burst;
    this.leaseSize = leaseSize(kind, burst);
    // Unspent tokens were taken from the bucket, so holding them longer never allows more than one
    // lease per node beyond the limit; lapsing them soon only made a user who sends after a pause
    // ask again, and an ask waits behind the user entity's write in flight.
    this.shareLifetimeMillis = Math.max(SHARE_LIFETIME.toMillis(), (long) burst * 60_000 / Math.max(1, perMinute));
    this.clock = clock;
    this.users = users;
    this.askTimeout = askTimeout;
    this.scheduler = scheduler;
  }

  /**
   * A quarter of the burst for messages: two devices on two nodes leave at most that much idle on
   * the other. Half for the rest: a lease ask waits behind the user entity's write in flight, and
   * holds up the replies to the frames after it, so a user typing now and then should rarely make
   * one; a few typing notices or group changes more per node, at most, cost little.
   */
  static int leaseSize(AllowanceKind kind, int burst) {
    return Math.max(1, Math.min(MAX_LEASE, burst / (kind == AllowanceKind.MESSAGES ? 4 : 2)));
  }

  /**
   * Takes one of the user's tokens: completes empty when the request may go ahead, with the wait
   * in milliseconds when the user is over the limit, and fails when the user's entity did not answer.
   */
  CompletionStage<OptionalLong> tryAcquire(String userId) {
    Share share = shares.computeIfAbsent(userId, id -> new Share());
    synchronized (share) {
      long now = clock.millis();
      if (now >= share.expiresAt) {
        share.tokens = 0;
      }
      if (share.waiting.isEmpty()) {
        if (share.tokens > 0) {
          share.tokens--;
          return CompletableFuture.completedFuture(OptionalLong.empty());
        }
        if (now < share.refusedUntil) {
          return CompletableFuture.completedFuture(OptionalLong.of(share.refusedUntil - now));
        }
      }
      CompletableFuture<OptionalLong> turn = new CompletableFuture<>();
      share.waiting.add(turn);
      if (!share.leasing) {
        lease(userId, share);
      }
      return turn;
    }
  }

  /** Asks the user's entity for a lease; the waiting requests are answered when it comes. */
  private void lease(String userId, Share share) {
    share.leasing = true;
    if (shares.size() > 10_000) {
      forgetIdleShares();
    }
    Asks.<UserActor.Command, UserActor.AllowanceLease>ask(users.user(userId),
            replyTo -> new UserActor.LeaseAllowance(kind, leaseSize, perMinute, burst, replyTo), askTimeout, scheduler)
        .whenComplete((leased, failure) -> leased(userId, share, leased, failure));
  }

  private void leased(String userId, Share share, UserActor.AllowanceLease leased, Throwable failure) {
    synchronized (share) {
      share.leasing = false;
      if (failure != null) {
        // The user's entity did not answer (moving, restarting): the waiting requests get unavailable.
        share.waiting.forEach(turn -> turn.completeExceptionally(failure));
        share.waiting.clear();
        return;
      }
      if (leased.unknownKind()) {
        // The user's entity runs on a version that predates this kind (a rolling update): it
        // counts none, so nothing goes ahead uncounted, and the client hears so now.
        ApiError refused = new ApiError(ErrorCode.UNAVAILABLE, "the server is being updated and cannot count "
            + "this request yet; try again shortly");
        share.waiting.forEach(turn -> turn.completeExceptionally(refused));
        share.waiting.clear();
        return;
      }
      long now = clock.millis();
      share.tokens = leased.granted();
      share.expiresAt = now + shareLifetimeMillis;
      share.refusedUntil = leased.granted() > 0 ? 0 : now + Math.max(1, leased.retryAfterMs());
      // Completed under the lock, in order: each one's request is under way before a later one's.
      while (share.tokens > 0 && !share.waiting.isEmpty()) {
        share.tokens--;
        share.waiting.poll().complete(OptionalLong.empty());
      }
      if (share.waiting.isEmpty()) {
        return;
      }
      if (leased.granted() > 0) {
        lease(userId, share); // a partial lease: the bucket may hold more
      } else {
        share.waiting.forEach(turn -> turn.complete(OptionalLong.of(share.refusedUntil - now)));
        share.waiting.clear();
      }
    }
  }

  /** Shares with nothing left to spend, refuse or wait for tell nothing a new one would not. */
  private void forgetIdleShares() {
    long now = clock.millis();
    shares.values().removeIf(share -> {
      synchronized (share) {
        return !share.leasing && share.waiting.isEmpty() && now >= share.refusedUntil && (share.tokens == 0 || now >= share.expiresAt);
      }
    });
  }
}
