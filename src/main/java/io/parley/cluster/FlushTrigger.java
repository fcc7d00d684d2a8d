package io.parley.cluster;

/**
 * When an entity that group-commits sends itself its flush message: at most one waits in its
 * mailbox, so every write that arrives meanwhile joins the flush already on its way.
 */
public final class FlushTrigger {
  private boolean scheduled;

  /** True when no flush is scheduled yet: the caller sends its flush message now. */
  public boolean schedule() {
    if (scheduled) {
      return false;
    }
    scheduled = true;
    return true;
  }

  /** The flush message arrived: the next write schedules another. */
  public void flushing() {
    scheduled = false;
  }
}
