package io.parley.gateway;

import java.util.ArrayList;
import java.util.List;

/**
 * Frames of a {@link Connection} that must wait for a moment of it. PROTOCOL.md puts hello first
 * and everything pending right after it, but the UserActor may tell a connection of an inbox
 * change, say, in the same write that registers it, before hello may go out, and while the
 * pending items are still being read. What arrives before the gate opens follows in order.
 */
final class FrameGate {
  private final int max;
  private List<Runnable> waiting = new ArrayList<>(); // null once open

  /** Past {@code max} frames waiting the gate opens by itself: order is given up before memory. */
  FrameGate(int max) {
    this.max = max;
  }

  void send(Runnable sending) {
    if (waiting != null && waiting.size() >= max) {
      open();
    }
    if (waiting == null) {
      sending.run();
    } else {
      waiting.add(sending);
    }
  }

  /** What waited goes out, and what comes later goes out at once. */
  void open() {
    if (waiting != null) {
      List<Runnable> queued = waiting;
      waiting = null;
      queued.forEach(Runnable::run);
    }
  }
}
