package io.parley.cluster;

import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;

/**
 * For entities that store each group-committed write as one event (one journal item, which is
 * what DynamoDB bills): the batch is built here and replayed as
 * its events would be, one after the other.
 */
public final class EventBatches {
  private EventBatches() {}

  /** An entity's batch event: the events of one write. */
  public interface Batch<E> {
    List<E> events();
  }

  /** What a stored event holds: a batch's events, or the event itself. */
  public static List<Object> unbatched(Object stored) {
    return stored instanceof Batch<?> batch ? Collections.unmodifiableList(batch.events()) : List.of(stored);
  }

  /** One event as it is; several wrapped in the entity's batch event. */
  public static <E> E persistable(List<E> events, Function<List<E>, E> batch) {
    return events.size() == 1 ? events.get(0) : batch.apply(List.copyOf(events));
  }

  /** The state after applying {@code events} in order. */
  public static <S, E> S applyAll(EventHandler<S, E> handler, S state, List<? extends E> events) {
    S applied = state;
    for (E event : events) {
      applied = handler.apply(applied, event);
    }
    return applied;
  }
}
