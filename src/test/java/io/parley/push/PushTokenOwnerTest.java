package io.parley.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.testing.EntityHarness;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
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

  @Test
  void anErasedOwnerIsForgottenWithTheRecordsJournalAndSnapshotsButAnotherOwnerIsKept() {
    PersistenceTestKit journal = PersistenceTestKit.create(harness.testKit.system());
    SnapshotTestKit snapshots = SnapshotTestKit.create(harness.testKit.system());
    String pid = "PushToken|" + PushTokenOwner.entityId(IPHONE);
    TestProbe<ClusterSharding.ShardCommand> tokenShard = harness.testKit.createTestProbe();
    var owner = harness.testKit.spawn(PushTokenOwner.create(PushTokenOwner.entityId(IPHONE), tokenShard.ref(), harness.tokenHolders()));
    TestProbe<Outcome<Done>> answered = harness.testKit.createTestProbe();
    owner.tell(new PushTokenOwner.Claim("alice", IPHONE, answered.ref()));
    assertTrue(answered.receiveMessage().isOk());
    assertEquals(1, journal.persistedInStorage(pid).size());

    owner.tell(new PushTokenOwner.Forget("someone-else", answered.ref()));
    assertTrue(answered.receiveMessage().isOk());
    assertEquals(1, journal.persistedInStorage(pid).size(), "another user's erasure changes nothing");

    owner.tell(new PushTokenOwner.Forget("alice", answered.ref()));
    assertTrue(answered.receiveMessage(Duration.ofSeconds(5)).isOk());
    assertEquals(List.of(), journal.persistedInStorage(pid), "neither the id nor the token is stored");
    assertEquals(List.of(), snapshots.persistedInStorage(pid));

    owner.tell(new PushTokenOwner.Claim("bob", IPHONE, answered.ref()));
    assertTrue(answered.receiveMessage().isOk());
    harness.userProbe("alice").expectNoMessage(Duration.ofMillis(200)); // nobody left to release
    owner.tell(new PushTokenOwner.Forget("alice", answered.ref()));
    assertTrue(answered.receiveMessage().isOk());
    assertEquals(1, journal.persistedInStorage(pid).size(), "bob's claim stays");
  }
}
