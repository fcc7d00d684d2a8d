package io.parley.cluster;

import java.util.function.UnaryOperator;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

/**
 * Hands the snapshot store a copy of an entity's state. The entities mutate their state in place
 * for speed, and the snapshot store serializes asynchronously, so it must not see later changes.
 */
public final class CopyingSnapshotAdapter<S> implements SnapshotAdapter<S> {
  private final UnaryOperator<S> copy;

  public CopyingSnapshotAdapter(UnaryOperator<S> copy) {
    this.copy = copy;
  }

  @Override
  public Object toJournal(S state) {
    return copy.apply(state);
  }

  @Override
  @SuppressWarnings("unchecked")
  public S fromJournal(Object from) {
    return (S) from;
  }
}
