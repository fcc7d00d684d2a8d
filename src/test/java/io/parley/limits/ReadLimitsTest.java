package io.parley.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.testing.EntityHarness;
import io.parley.user.AllowanceKind;
import io.parley.user.UserActor;
import io.parley.user.UserSettings;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-user read limit, spent from the user's real UserActor as the send limit is. */
class ReadLimitsTest {
  EntityHarness harness;
  ActorRef<UserActor.Command> bob;

  @BeforeEach
  void start() {
    harness = new EntityHarness("");
    TestProbe<ClusterSharding.ShardCommand> shard = harness.testKit.createTestProbe();
    bob = harness.testKit.spawn(UserActor.create("bob", shard.ref(), harness, UserSettings.from(harness.config),
        notification -> {}, userId -> CompletableFuture.completedFuture(null), harness.clock));
  }

  @AfterEach
  void stop() {
    harness.shutdown();
  }

  private RateLimits limits(String overrides) {
    Config rateLimit = ConfigFactory.parseString(overrides)
        .withFallback(harness.config.getConfig("parley.gateway.rate-limit"));
    return RateLimits.from(rateLimit, harness.clock, userId -> bob,
        new RequestTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5)), harness.testKit.system().scheduler());
  }

  /** How many reads of {@code tries} are allowed in a row; the last refusal, if any. */
  private static Object[] read(RateLimits limits, int tries) {
    int allowed = 0;
    ApiError refused = null;
    for (int i = 0; i < tries; i++) {
      try {
        limits.acquire(AllowanceKind.READS, "bob").toCompletableFuture().get(5, TimeUnit.SECONDS);
        allowed++;
      } catch (ExecutionException e) {
        refused = ApiError.from(e.getCause());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    return new Object[] {allowed, refused};
  }

  @Test
  void readsPastTheBurstAreRateLimitedWithTheWaitForTheNext() {
    Object[] taken = read(limits("reads-per-minute = 60, reads-burst = 30, messages-per-minute = 6, burst = 3"), 40);
    assertEquals(30, taken[0]);
    ApiError refused = (ApiError) taken[1];
    assertEquals(ErrorCode.RATE_LIMITED, refused.code);
    assertEquals("too many reads; slow down", refused.getMessage());
    assertTrue(refused.retryAfterMs > 0 && refused.retryAfterMs <= 1000, "one read a second: " + refused.retryAfterMs);

    harness.clock.advance(Duration.ofSeconds(5));
    assertEquals(5, read(limits("reads-per-minute = 60, reads-burst = 30"), 5)[0], "refilled at the rate");
  }

  @Test
  void raisingTheSendLimitRaisesReadsWithIt() {
    Object[] taken = read(limits("reads-per-minute = 60, reads-burst = 10, messages-per-minute = 6000, burst = 100"), 100);
    assertEquals(100, taken[0], "the benchmark's switch lifts reads too");
  }

  @Test
  void theDefaultLetsAClientPageItsHistoryAtStartUp() {
    assertEquals(200, read(limits(""), 200)[0]);
  }
}
