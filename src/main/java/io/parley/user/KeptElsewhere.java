package io.parley.user;

import io.parley.push.PushToken;
import java.util.Collection;
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
  /** Conversation ids in order, and whether more follow the last of them. */
  record Page(List<String> conversations, boolean more) {
    /** Up to {@code limit} of {@code ids} after {@code after} (null: from the first), in id order. */
    public static Page of(Collection<String> ids, String after, int limit) {
      return KnownConversations.page(ids, after, limit);
    }
  }

  CompletionStage<?> erase(String userId);

  /**
   * The owner records of the user's push tokens forget the user (done before {@link #erase}, while
   * the entity still holds the tokens); repeating it must be harmless.
   */
  default CompletionStage<?> forgetPushTokens(String userId, Collection<PushToken> tokens) {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * The erasure's first step: nothing new is stored for the user outside the entities (no new
   * content key, no content sealed) until the same id starts afresh; repeating it is harmless,
   * and for the erasure requested at {@code requestedTs} keeps the time it was first marked.
   */
  default CompletionStage<?> markErasing(String userId, long requestedTs) {
    return CompletableFuture.completedFuture(null);
  }

  /** Every conversation the user was ever a member of, as far as the index knows. */
  default CompletionStage<List<String>> conversations(String userId) {
    return CompletableFuture.completedFuture(List.of());
  }

  /**
   * Up to {@code limit} of {@link #conversations} after {@code after} (null: from the first), in
   * id order: an erasure records them a page at a time, so that none of its events outgrows an item.
   */
  default CompletionStage<Page> conversations(String userId, String after, int limit) {
    return conversations(userId).thenApply(all -> KnownConversations.page(all, after, limit));
  }
}
