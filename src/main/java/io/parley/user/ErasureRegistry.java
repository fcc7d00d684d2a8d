package io.parley.user;

import io.parley.cluster.Done;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Erasures requested and not known to be finished, outside the user entities: user entities are
 * not remembered, so after a crash nothing else would start the entity of a user whose erasure
 * was cut short. The gateway records a request before the entity does, and forgets it once the
 * entity answers done; {@link ErasureResumer} wakes the entities of those left over.
 */
public interface ErasureRegistry {
  /** An erasure of {@code userId} recorded at {@code requestedAt} (epoch millis). */
  record Unfinished(String userId, long requestedAt) {}

  /** Records a request for {@code userId} (again, if one was recorded already), once stored. */
  CompletionStage<Unfinished> started(String userId);

  /**
   * Forgets {@code erasure}, found finished, unless its user's erasure was requested again since
   * (a newer record stays until that one is found finished too).
   */
  CompletionStage<Done> finished(Unfinished erasure);

  /** Every erasure recorded and not forgotten. */
  CompletionStage<List<Unfinished>> unfinished();
}
