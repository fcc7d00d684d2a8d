package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.EntityHarness;
import io.parley.user.UserActor;
import io.parley.user.UserSettings;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two nodes' shares of one user's send bucket, leased from the real UserActor. */
class SendSharesTest {
  static final int PER_MINUTE = 60;
  static final int BURST = 20;

  EntityHarness harness;
  ActorRef<UserActor.Command> bob;

  @BeforeEach
  void start() {
    harness = new EntityHarness("");
    TestProbe<ClusterSharding.ShardCommand> shard = harness.testKit.createTestProbe();
    bob = harness.testKit.spawn(UserActor.create("bob", shard.ref(), harness, UserSettings.from(harness.config),
        notification -> {}, harness.clock));
  }

  @AfterEach
  void stop() {
    harness.shutdown();
  }

  private SendShares node() {
    return new SendShares(PER_MINUTE, BURST, harness.clock, userId -> bob, Duration.ofSeconds(5),
        harness.testKit.system().scheduler());
  }

  private static OptionalLong join(CompletionStage<OptionalLong> stage) {
    try {
      return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aUserOnTwoNodesSendsNoMoreThanOneBurstInAll() {
    SendShares first = node();
    SendShares second = node();
    int allowed = 0;
    long retryAfter = -1;
    for (int i = 0; i < 30; i++) {
      for (SendShares node : new SendShares[] {first, second}) {
        OptionalLong answer = join(node.tryAcquire("bob"));
        if (answer.isEmpty()) {
          allowed++;
        } else {
          retryAfter = answer.getAsLong();
        }
      }
    }
    assertEquals(BURST, allowed, "one bucket, not one per node");
    assertTrue(retryAfter > 0 && retryAfter <= 1000, "a send at 60 a minute is a second away: " + retryAfter);
    // The bucket refills at the configured rate, for whichever node asks first.
    harness.clock.advance(Duration.ofSeconds(3));
    int later = 0;
    for (int i = 0; i < 10; i++) {
      later += join(second.tryAcquire("bob")).isEmpty() ? 1 : 0;
    }
    assertEquals(3, later);
  }

  @Test
  void sendsWaitingForALeaseTheEntityDoesNotAnswerFail() {
    var silent = harness.testKit.<UserActor.Command>createTestProbe();
    SendShares node = new SendShares(PER_MINUTE, BURST, harness.clock, userId -> silent.ref(), Duration.ofMillis(100),
        harness.testKit.system().scheduler());
    CompletionStage<OptionalLong> send = node.tryAcquire("bob");
    silent.expectMessageClass(UserActor.LeaseSends.class);
    ExecutionException failed = assertThrows(ExecutionException.class,
        () -> send.toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertEquals(ErrorCode.UNAVAILABLE, ApiError.from(failed.getCause()).code);
  }
}
