package io.parley.gateway.session;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;

/** The WebSocket connections open on this node, so a shutdown can drain them. */
public final class LiveConnections {
  private final Set<ActorRef<Object>> open = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Void> allClosed = new CompletableFuture<>();
  private volatile boolean draining;

  public int size() {
    return open.size();
  }

  void opened(ActorRef<Object> connection) {
    open.add(connection);
  }

  void closed(ActorRef<Object> connection) {
    open.remove(connection);
    if (draining && open.isEmpty()) {
      allClosed.complete(null);
    }
  }

  /**
   * Tells every connection to drain: each sends `server.draining` with a random reconnect delay
   * (so clients do not all return at once) and closes at a random moment within the grace
   * period. Completes when all are closed.
   */
  public CompletableFuture<Void> drain(Duration grace, Duration reconnectSpread) {
    draining = true;
    if (open.isEmpty()) {
      allClosed.complete(null);
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (ActorRef<Object> connection : open) {
      connection.tell(new Connection.Drain(
          random.nextLong(reconnectSpread.toMillis() + 1),
          Duration.ofMillis(random.nextLong(grace.toMillis() + 1))));
    }
    return allClosed;
  }
}
