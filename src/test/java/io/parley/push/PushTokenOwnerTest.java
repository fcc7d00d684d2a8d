package io.parley.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.testing.EntityHarness;
import io.parley.user.UserActor;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The claim of a push token between users, on Pekko's persistence testkit. */
class PushTokenOwnerTest {
  private static final PushToken IPHONE = new PushToken("apns", "a1b2");

  EntityHarness harness;

  @BeforeEach
  void setUp() {
    harness = new EntityHarness("");
  }

  @AfterEach
  void tearDown() {
    harness.shutdown();
  }

  @Test
  void aNewOwnerTakesAPushTokenAndTheEarlierOwnerDropsIt() {
    TestProbe<ClusterSharding.ShardCommand> tokenShard = harness.testKit.createTestProbe();
    var owner = harness.testKit.spawn(PushTokenOwner.create(PushTokenOwner.entityId(IPHONE), tokenShard.ref(), harness.tokenHolders()));
    TestProbe<Outcome<Done>> claimed = harness.testKit.createTestProbe();
    owner.tell(new PushTokenOwner.Claim("alice", IPHONE, claimed.ref()));
    assertTrue(claimed.receiveMessage().isOk());
    owner.tell(new PushTokenOwner.Claim("bob", IPHONE, claimed.ref()));
    assertTrue(claimed.receiveMessage().isOk());
    var release = (UserActor.UnregisterPushToken) harness.userProbe("alice").receiveMessage();
    assertEquals(IPHONE, release.token());
    // Unconfirmed, the release is asked again after a restart.
    owner.tell(PushTokenOwner.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(owner, Duration.ofSeconds(5));
    TestProbe<ClusterSharding.ShardCommand> restartedShard = harness.testKit.createTestProbe();
    harness.testKit.spawn(PushTokenOwner.create(PushTokenOwner.entityId(IPHONE), restartedShard.ref(), harness.tokenHolders()));
    var again = (UserActor.UnregisterPushToken) harness.userProbe("alice").receiveMessage();
    assertEquals(IPHONE, again.token());
    restartedShard.expectNoMessage(Duration.ofMillis(200));
    again.replyTo().tell(Outcome.ok(Done.INSTANCE));
    // Released: nothing is left to do, so it passivates.
    restartedShard.expectMessageClass(ClusterSharding.Passivate.class);
    harness.userProbe("bob").expectNoMessage(Duration.ofMillis(200));
  }
}
