package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.user.DeviceEvent;
import io.parley.user.UserActor;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * A connection's presence subscriptions: its heartbeats wake no watched user, and it subscribes
 * again when a watched user's entity comes back, or stops while that user is online.
 */
class ConnectionPresenceTest extends ConnectionFixture {
  @Test
  void presenceSubscriptionsWakeNobodyAtHeartbeatsAndAreRenewedWhenTheWatchedUserComesOnline() {
    registerAndReplay(new Registration(false, 0), 0);
    connection.tell(new Connection.PresenceWatched(java.util.Set.of("carol")));
    time.timePasses(HEARTBEAT);
    answerRegistration(new Registration(true, 0));
    harness.userProbe("carol").expectNoMessage(Duration.ofMillis(200));
    // Carol's entity (passivated meanwhile) comes back as a device of hers connects: it says so to every node.
    TestProbe<UserActor.Command> carolsEntity = harness.testKit.createTestProbe();
    io.parley.user.PresenceNotices notices = io.parley.user.PresenceNotices.get(harness.testKit.system());
    notices.renew(new io.parley.user.PresenceNotices.Online("carol", carolsEntity.ref()));
    var renewal = (UserActor.RenewPresence) carolsEntity.receiveMessage();
    assertEquals("bob", renewal.subscriberUserId());
    // Once the connection closes, a notice renews nothing.
    connection.tell(new Connection.Closed());
    harness.testKit.createTestProbe().expectTerminated(connection, Duration.ofSeconds(5));
    notices.renew(new io.parley.user.PresenceNotices.Online("carol", carolsEntity.ref()));
    carolsEntity.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aWatchedUserWhoseEntityStopsWhileOnlineIsAskedAgainOnce() {
    registerAndReplay(new Registration(false, 0), 0);
    connection.tell(new Connection.PresenceWatched(java.util.Set.of("carol", "dave")));
    TestProbe<UserActor.Command> carolsEntity = harness.testKit.createTestProbe();
    TestProbe<UserActor.Command> davesEntity = harness.testKit.createTestProbe();
    connection.tell(new DeviceEvent.Presence("carol", true, 0, carolsEntity.ref()));
    connection.tell(new DeviceEvent.Presence("dave", true, 0, davesEntity.ref()));
    connection.tell(new DeviceEvent.Presence("dave", false, 5, davesEntity.ref()));
    // Carol's entity stops while she is online (its node failed): her offline may never come.
    carolsEntity.stop();
    var renewal = (UserActor.RenewPresence) harness.userProbe("carol").receiveMessage();
    assertEquals("bob", renewal.subscriberUserId());
    // Dave's said offline: it may stop (passivate) without waking it again.
    davesEntity.stop();
    harness.userProbe("dave").expectNoMessage(Duration.ofMillis(200));
  }
}
