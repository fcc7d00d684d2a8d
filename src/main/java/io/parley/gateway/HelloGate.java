package io.parley.gateway;

import java.util.ArrayList;
import java.util.List;

/**
 * hello comes first (PROTOCOL.md), but the UserActor may tell a connection of an inbox change,
 * say, in the same write that registers it, before the answer that lets hello go out. What
 * arrives before then waits here and follows hello in order.
 */
final class HelloGate {
  private List<Runnable> waiting = new ArrayList<>(); // null once hello is out

  void send(Runnable sending) {
    if (waiting == null) {
      sending.run();
    } else {
      waiting.add(sending);
    }
  }

  /** hello is out: what waited follows. */
  void open() {
    if (waiting != null) {
      List<Runnable> queued = waiting;
      waiting = null;
      queued.forEach(Runnable::run);
    }
  }
}
