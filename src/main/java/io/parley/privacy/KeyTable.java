package io.parley.privacy;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Where content keys are stored: one per user at most. */
public interface KeyTable {
  CompletionStage<Optional<ContentKey>> read(String userId);

  /** Stores {@code key} unless its user has one already; answers the key the user has now. */
  CompletionStage<ContentKey> storeIfAbsent(ContentKey key);

  /** Deletes the user's key, if any. */
  CompletionStage<Void> delete(String userId);
}
