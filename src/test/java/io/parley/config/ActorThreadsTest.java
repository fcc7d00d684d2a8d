package io.parley.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.Dispatchers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ActorThreadsTest {
  private ActorSystem system;

  private static Config setting(String onePool) {
    return ConfigFactory.parseString("parley.actor-threads.one-pool = " + onePool).withFallback(ConfigFactory.load());
  }

  /** A local actor system's configuration, completed for a node that sees {@code processors} cores. */
  private static Config completedFor(int processors) {
    return ConfigFactory.parseMap(ActorThreads.settings(setting("auto"), processors))
        .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  @Test
  void autoMeansOnePoolOnlyOnANodeWithOneCore() {
    assertTrue(ActorThreads.onePool(setting("auto"), 1));
    assertEquals(Map.of(), ActorThreads.settings(setting("auto"), 2));
    assertEquals(Map.of(), ActorThreads.settings(setting("off"), 1));
    Map<String, Object> four = ActorThreads.settings(setting("on"), 4);
    assertEquals(4, four.get("pekko.actor.default-dispatcher.fork-join-executor.parallelism-max"));
    assertEquals(4, four.get("pekko.actor.default-dispatcher.fork-join-executor.parallelism-min"));
    assertThrows(IllegalArgumentException.class, () -> ActorThreads.onePool(setting("yes"), 1));
  }

  @Test
  void onOnePoolNodeEveryDispatcherParleyUsesIsTheDefaultOne() {
    Config completed = completedFor(1);
    assertEquals("one pool of 1 thread(s)", ActorThreads.describe(completed));
    Dispatchers dispatchers = dispatchersOf(completed);
    var shared = dispatchers.lookup(Dispatchers.DefaultDispatcherId());
    assertSame(shared, dispatchers.lookup("pekko.actor.internal-dispatcher"));
    for (String plugin : new String[] {"dynamodb-journal", "dynamodb-snapshot-store"}) {
      for (String role : new String[] {"plugin-dispatcher", "client-dispatcher"}) {
        assertSame(shared, dispatchers.lookup(completed.getString(plugin + "." + role)), plugin + "." + role);
      }
    }
    assertSame(shared, dispatchers.lookup(completed.getString("dynamodb-journal.replay-dispatcher")));
  }

  @Test
  void withMoreCoresPekkosPoolsStand() {
    Config completed = completedFor(2);
    assertEquals("Pekko's own pools", ActorThreads.describe(completed));
    Dispatchers dispatchers = dispatchersOf(completed);
    assertNotSame(dispatchers.lookup(Dispatchers.DefaultDispatcherId()),
        dispatchers.lookup("pekko.actor.internal-dispatcher"));
  }

  /** The dispatchers of a real actor system on {@code config}, stopped once the test is done. */
  private Dispatchers dispatchersOf(Config config) {
    system = ActorSystem.create("actor-threads", config);
    return system.dispatchers();
  }

  @AfterEach
  void stopTheSystem() {
    if (system != null) {
      system.terminate();
    }
  }
}
