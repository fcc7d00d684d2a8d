package io.parley.user;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What an account keeps outside the entities: the key its content is sealed with, the media it
 * uploaded, and the index of the conversations it was ever in. An erasure marks the account first
 * ({@link #markErasing}), asks the index for
 * conversations its entity no longer knows, and deletes all of it last, once every conversation
 * has dropped the user, finishing only when that succeeded; repeating it must be harmless.
 */
@FunctionalInterface
public interface KeptElsewhere {
  CompletionStage<?> erase(String userId);

  /**
   * The erasure's first step: nothing new is stored for the user outside the entities (no new
   * content key, no content sealed) until the same id starts afresh; repeating it is harmless.
   */
  default CompletionStage<?> markErasing(String userId) {
    return CompletableFuture.completedFuture(null);
  }

  /** Every conversation the user was ever a member of, as far as the index knows. */
  default CompletionStage<List<String>> conversations(String userId) {
    return CompletableFuture.completedFuture(List.of());
  }
}
