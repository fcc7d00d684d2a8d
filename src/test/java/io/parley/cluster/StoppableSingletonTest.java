package io.parley.cluster;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.internal.PoisonPill;
import org.apache.pekko.actor.typed.internal.PoisonPillInterceptor;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The singleton manager's stop stops a singleton whatever its work is doing. It is sent as Pekko's
 * typed ClusterSingleton sends it: a PoisonPill, turned into a signal, to the behaviour inside a
 * PoisonPillInterceptor, which stops the actor when the behaviour leaves the signal unhandled.
 */
class StoppableSingletonTest {
  static final Duration BACKOFF = Duration.ofMinutes(10);

  ActorTestKit testKit = ActorTestKit.create();

  @AfterEach
  void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Spawned as ClusterSingleton spawns a singleton. */
  <T> ActorRef<T> singleton(Behavior<T> behavior) {
    return testKit.spawn(Behaviors.intercept(PoisonPillInterceptor::new, behavior));
  }

  /** What the singleton manager does when its node leaves or hands the singleton over. */
  static void stop(ActorRef<?> singleton) {
    Adapter.toClassic(singleton).tell(PoisonPill.instance(), org.apache.pekko.actor.ActorRef.noSender());
  }

  /** Echoes to {@code probe}; "fail" makes it fail, and its supervisor back off. */
  static Behavior<String> work(ActorRef<String> probe) {
    return Behaviors.supervise(Behaviors.<String>receiveMessage(message -> {
      if (message.equals("fail")) {
        throw new IllegalStateException("the store is unreachable");
      }
      probe.tell(message);
      return Behaviors.same();
    })).onFailure(SupervisorStrategy.restartWithBackoff(BACKOFF, BACKOFF, 0));
  }

  @Test
  void theStopStopsItWhileItsWorkBacksOff() {
    TestProbe<String> probe = testKit.createTestProbe();
    ActorRef<String> singleton = singleton(StoppableSingleton.of(work(probe.getRef()), "work"));
    singleton.tell("hello");
    probe.expectMessage("hello");
    singleton.tell("fail"); // backing off for ten minutes: a stop sent to the work itself would wait for them
    stop(singleton);
    probe.expectTerminated(singleton, Duration.ofSeconds(10));
  }

  @Test
  void itStopsWhenItsWorkStops() {
    TestProbe<String> probe = testKit.createTestProbe();
    ActorRef<String> singleton = singleton(StoppableSingleton.of(Behaviors.<String>receiveMessage(message -> {
      probe.getRef().tell(message);
      return Behaviors.stopped();
    }), "work"));
    singleton.tell("last");
    probe.expectMessage("last");
    probe.expectTerminated(singleton, Duration.ofSeconds(10));
  }
}
