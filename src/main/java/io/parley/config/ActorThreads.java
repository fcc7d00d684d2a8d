package io.parley.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which threads run the node's actors and futures. On a node with one core, Pekko's separate
 * pools (the default dispatcher of at least eight threads, the internal one, the journal
 * plugin's) only add hand-offs: each message handed from one pool to an idle one wakes a thread
 * and switches the core to it. There every actor and plugin future runs on the default
 * dispatcher, sized to the one core. With more cores Pekko's defaults stand: the internal
 * dispatcher keeps the cluster's own work apart from Parley's.
 */
public final class ActorThreads {
  static final String SHARED = "pekko.actor.default-dispatcher";

  /** Dispatcher ids pointed at {@link #SHARED} on a one-pool node. */
  static final String[] ALIASED = {
    "pekko.actor.internal-dispatcher",
    "dynamodb-journal.plugin-dispatcher",
    "dynamodb-journal.client-dispatcher",
    "dynamodb-journal.replay-dispatcher",
    "dynamodb-snapshot-store.plugin-dispatcher",
    "dynamodb-snapshot-store.client-dispatcher",
  };

  private ActorThreads() {}

  /** Whether {@code parley.actor-threads.one-pool} (on, off, auto: one core) holds for this node. */
  static boolean onePool(Config config, int processors) {
    String setting = config.getString("parley.actor-threads.one-pool");
    return switch (setting) {
      case "on" -> true;
      case "off" -> false;
      case "auto" -> processors == 1;
      default -> throw new IllegalArgumentException(
          "parley.actor-threads.one-pool (PARLEY_ONE_POOL) must be on, off or auto: " + setting);
    };
  }

  /** The settings that make it so; none when it does not hold. */
  static Map<String, Object> settings(Config config, int processors) {
    Map<String, Object> settings = new LinkedHashMap<>();
    if (!onePool(config, processors)) {
      return settings;
    }
    for (String id : ALIASED) {
      settings.put(id, SHARED);
    }
    // Pekko's floor of eight threads is meant for actors that block; Parley's do not.
    settings.put(SHARED + ".fork-join-executor.parallelism-min", processors);
    settings.put(SHARED + ".fork-join-executor.parallelism-max", processors);
    return settings;
  }

  /** What {@code config} (completed) runs actors on, for the start-up log. */
  public static String describe(Config config) {
    if (config.getValue(ALIASED[0]).valueType() == ConfigValueType.STRING) {
      return "one pool of " + config.getInt(SHARED + ".fork-join-executor.parallelism-max") + " thread(s)";
    }
    return "Pekko's own pools";
  }
}
