package io.parley.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.testing.EntityHarness;
import io.parley.testing.LaterVersion;
import io.parley.user.AllowanceKind;
import io.parley.user.UserActor;
import io.parley.user.UserSettings;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two nodes' shares of one user's buckets, leased from the real UserActor. */
class AllowanceSharesTest {
  static final int PER_MINUTE = 60;
  static final int BURST = 20;

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

  private AllowanceShares node(AllowanceKind kind) {
    return new AllowanceShares(kind, PER_MINUTE, BURST, harness.clock, userId -> bob, Duration.ofSeconds(5),
        harness.testKit.system().scheduler());
  }

  /** Takes {@code times} tokens on each node in turn: how many were granted, and the last wait if any was refused. */
  private static long[] takeInTurn(int times, AllowanceShares... nodes) {
    int allowed = 0;
    long retryAfter = -1;
    for (int i = 0; i < times; i++) {
      for (AllowanceShares node : nodes) {
        OptionalLong answer = join(node.tryAcquire("bob"));
        if (answer.isEmpty()) {
          allowed++;
        } else {
          retryAfter = answer.getAsLong();
        }
      }
    }
    return new long[] {allowed, retryAfter};
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
    AllowanceShares first = node(AllowanceKind.MESSAGES);
    AllowanceShares second = node(AllowanceKind.MESSAGES);
    long[] taken = takeInTurn(30, first, second);
    assertEquals(BURST, taken[0], "one bucket, not one per node");
    assertTrue(taken[1] > 0 && taken[1] <= 1000, "a send at 60 a minute is a second away: " + taken[1]);
    // The bucket refills at the configured rate, for whichever node asks first.
    harness.clock.advance(Duration.ofSeconds(3));
    assertEquals(3, takeInTurn(10, second)[0]);
  }

  @Test
  void everyKindIsLimitedOnceAcrossNodesAndApartFromTheOthers() {
    for (AllowanceKind kind : AllowanceKind.counted()) {
      long[] taken = takeInTurn(30, node(kind), node(kind));
      assertEquals(BURST, taken[0], kind + ": one bucket, not one per node, and untouched by the kinds before");
      assertTrue(taken[1] > 0 && taken[1] <= 1000, kind + ": " + taken[1]);
    }
  }

  @Test
  void leasesOfTheRarerKindsAreHalfTheBurstSoThatAUserSeldomAsks() {
    assertEquals(5, AllowanceShares.leaseSize(AllowanceKind.MESSAGES, 20));
    assertEquals(10, AllowanceShares.leaseSize(AllowanceKind.TYPING, 20));
    assertEquals(5, AllowanceShares.leaseSize(AllowanceKind.GROUP_CHANGES, 10));
    assertEquals(1, AllowanceShares.leaseSize(AllowanceKind.PRESENCE, 1));
    assertEquals(AllowanceShares.MAX_LEASE, AllowanceShares.leaseSize(AllowanceKind.MESSAGES, 10_000_000));
  }

  /**
   * A rolling update: this node counts a kind that the user's entity's node, of an earlier
   * version, reads as one it does not know. The entity refuses the lease at once, and the request
   * gets {@code unavailable} now rather than after the ask timeout.
   */
  @Test
  void aLeaseOfAKindTheUsersNodeDoesNotKnowIsRefusedAtOnce() {
    var earlierNode = harness.testKit.spawn(Behaviors.<UserActor.Command>receive((context, lease) -> {
      bob.tell(LaterVersion.read(context.getSystem(), lease, "\"PUSH_TOKENS\"", "\"VOICE_NOTES\""));
      return Behaviors.same();
    }));
    // The ask would time out after a minute: a refusal well before it, saying why, is the entity's
    // answer, however slow the machine (a 2 s bound failed once at load 18).
    AllowanceShares node = new AllowanceShares(AllowanceKind.PUSH_TOKENS, PER_MINUTE, BURST, harness.clock,
        userId -> earlierNode, Duration.ofSeconds(60), harness.testKit.system().scheduler());
    ExecutionException failed = assertThrows(ExecutionException.class,
        () -> node.tryAcquire("bob").toCompletableFuture().get(30, TimeUnit.SECONDS));
    ApiError refused = ApiError.from(failed.getCause());
    assertEquals(ErrorCode.UNAVAILABLE, refused.code);
    assertTrue(refused.getMessage().contains("being updated"), refused.getMessage());
  }

  @Test
  void requestsWaitingForALeaseTheEntityDoesNotAnswerFail() {
    var silent = harness.testKit.<UserActor.Command>createTestProbe();
    AllowanceShares node = new AllowanceShares(AllowanceKind.TYPING, PER_MINUTE, BURST, harness.clock,
        userId -> silent.ref(), Duration.ofMillis(100), harness.testKit.system().scheduler());
    CompletionStage<OptionalLong> send = node.tryAcquire("bob");
    assertEquals(AllowanceKind.TYPING, silent.expectMessageClass(UserActor.LeaseAllowance.class).kind());
    ExecutionException failed = assertThrows(ExecutionException.class,
        () -> send.toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertEquals(ErrorCode.UNAVAILABLE, ApiError.from(failed.getCause()).code);
  }
}
