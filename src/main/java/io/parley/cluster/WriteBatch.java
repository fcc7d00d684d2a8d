package io.parley.cluster;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Group commit for an event-sourced entity: commands that write wait here while the entity's
 * current write is in flight, and the next flush decides and persists them together, so one
 * storage request carries every write that arrived meanwhile.
 *
 * <p>The entity calls {@link #add} and, when it returns true, sends itself its flush message. A
 * write in flight stashes that message behind the commands that arrived before it, so a flush
 * takes everything gathered up to then. A flush {@link #poll}s until its write is full; when some remain, the entity sends itself another flush.
 */
public final class WriteBatch<C> {
  private final Deque<C> waiting = new ArrayDeque<>();
  private final FlushTrigger flush = new FlushTrigger();

  /** Queues a command; true when no flush is scheduled yet and the caller must schedule one. */
  public boolean add(C command) {
    waiting.add(command);
    return flush.schedule();
  }

  /** The oldest waiting command, or null. A flush polls until its write is full or none wait. */
  public C poll() {
    flush.flushing();
    return waiting.isEmpty() ? null : waiting.pollFirst();
  }

  /** True when commands wait and the caller must schedule a flush for them. */
  public boolean needsFlush() {
    return !waiting.isEmpty() && flush.schedule();
  }

  public boolean isEmpty() {
    return waiting.isEmpty();
  }
}
