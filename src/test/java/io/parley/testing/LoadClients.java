package io.parley.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a {@link ChatLoad}'s clients reach the cluster while nodes die: each connects to the next
 * node that answers, and a send on a broken socket says so rather than throwing.
 */
final class LoadClients {
  private final List<ParleyProcess> nodes;
  private final AtomicInteger nextNode = new AtomicInteger();
  private final AtomicInteger reconnects = new AtomicInteger();

  LoadClients(List<ParleyProcess> nodes) {
    this.nodes = nodes;
  }

  List<ParleyProcess> nodes() {
    return nodes;
  }

  int reconnects() {
    return reconnects.get();
  }

  /** Connects to the next node that accepts, as a client after a disconnect would. */
  WsClient connect(String user, String deviceId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      ParleyProcess node = nodes.get(Math.floorMod(nextNode.getAndIncrement(), nodes.size()));
      try {
        WsClient ws = WsClient.connect(node, new ApiClient(node).token(user), deviceId);
        reconnects.incrementAndGet();
        return ws;
      } catch (RuntimeException down) {
        if (System.nanoTime() > deadline) {
          throw down;
        }
        backoff();
      }
    }
  }

  /** False when the connection broke (a node died): the caller reconnects. */
  static boolean trySend(WsClient ws, ObjectNode frame) {
    try {
      ws.send(frame);
      return true;
    } catch (RuntimeException broken) {
      ws.close();
      return false;
    }
  }

  static void backoff() {
    pause(250); // the node is down; there is nothing to await but another try
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
