package io.parley.gateway.session;

import java.util.ArrayList;
import java.util.List;

/**
 * Frames of a {@link Connection} that must wait for a moment of it. PROTOCOL.md puts hello first
 * and everything pending right after it, but the UserActor may tell a connection of an inbox
 * change, say, in the same write that registers it, before hello may go out, and while the
 * pending items are still being read. What arrives before the gate opens follows in order.
 */
public final class FrameGate {
  private final int max;
  private final long maxSize;
  /** Run once when the gate is full; null: a full gate opens by itself. */
  private final Runnable whenFull;
  private List<Runnable> waiting = new ArrayList<>(); // null once open
  private long size;
  private boolean full;

  /** Past {@code max} frames waiting the gate opens by itself: order is given up before memory. */
  FrameGate(int max) {
    this(max, Long.MAX_VALUE, null);
  }

  /**
   * Past {@code max} frames or {@code maxSize} (in the unit of {@link #send(Runnable, long)})
   * waiting, {@code whenFull} runs, once, and what waited and what comes until the gate opens is
   * dropped: for frames that may not go out of order, where the connection is then closed.
   */
  public FrameGate(int max, long maxSize, Runnable whenFull) {
    this.max = max;
    this.maxSize = maxSize;
    this.whenFull = whenFull;
  }

  void send(Runnable sending) {
    send(sending, 0);
  }

  public void send(Runnable sending, long frameSize) {
    if (full && waiting != null) {
      return;
    }
    if (waiting != null && (waiting.size() >= max || size + frameSize > maxSize)) {
      if (whenFull == null) {
        open();
      } else {
        fill();
        return;
      }
    }
    if (waiting == null) {
      sending.run();
    } else {
      waiting.add(sending);
      size += frameSize;
    }
  }

  private void fill() {
    waiting.clear();
    size = 0;
    if (!full) {
      full = true;
      whenFull.run();
    }
  }

  /** What waited goes out, and what comes later goes out at once. */
  public void open() {
    if (waiting != null) {
      List<Runnable> queued = waiting;
      waiting = null;
      queued.forEach(Runnable::run);
    }
  }
}
