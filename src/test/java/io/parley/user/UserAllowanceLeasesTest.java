package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/** Rate allowances ({@link Allowances}) leased from the user's buckets, and the entity kept while they refill. */
class UserAllowanceLeasesTest extends UserFixture {
  private UserActor.AllowanceLease lease(ActorRef<UserActor.Command> user, int wanted) {
    TestProbe<UserActor.AllowanceLease> reply = harness.testKit.createTestProbe();
    user.tell(new UserActor.LeaseAllowance(AllowanceKind.MESSAGES, wanted, 60, 5, reply.ref()));
    return reply.receiveMessage();
  }

  @Test
  void leasesComeOutOfOneBucketWhoeverAsks() {
    var bob = spawn();
    // 5 at most, refilled at one a second; each node asks for 2 at a time.
    assertEquals(new UserActor.AllowanceLease(2, 0), lease(bob, 2));
    assertEquals(new UserActor.AllowanceLease(2, 0), lease(bob, 2));
    assertEquals(new UserActor.AllowanceLease(1, 0), lease(bob, 2), "what is left");
    assertEquals(new UserActor.AllowanceLease(0, 1000), lease(bob, 2), "empty: a token in a second");
    harness.clock.advance(Duration.ofMillis(400));
    assertEquals(new UserActor.AllowanceLease(0, 600), lease(bob, 2));
    harness.clock.advance(Duration.ofMillis(2600));
    assertEquals(new UserActor.AllowanceLease(2, 0), lease(bob, 2), "refilled at the configured rate");
    harness.clock.advance(Duration.ofMinutes(10));
    assertEquals(new UserActor.AllowanceLease(2, 0), lease(bob, 2));
    assertEquals(new UserActor.AllowanceLease(2, 0), lease(bob, 2));
    assertEquals(new UserActor.AllowanceLease(1, 0), lease(bob, 2), "never more than the burst");
  }

  @Test
  void aUserDoesNotPassivateWhileABucketRefills() {
    var bob = spawn();
    TestProbe<UserActor.AllowanceLease> reply = harness.testKit.createTestProbe();
    // All 5 at one a minute: the bucket is full again in 5 minutes, and forgetting it before would refill it.
    bob.tell(new UserActor.LeaseAllowance(AllowanceKind.TYPING, 5, 1, 5, reply.ref()));
    assertEquals(5, reply.receiveMessage().granted());
    pass(settings.passivateAfterIdle().plusSeconds(1));
    shard.expectNoMessage(Duration.ofMillis(200));
    pass(Duration.ofMinutes(3));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }
}
