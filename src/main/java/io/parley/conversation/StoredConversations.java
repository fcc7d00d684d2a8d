package io.parley.conversation;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Whether a conversation has ever stored anything, asked of the store without starting its entity
 * ({@code storage/JournalConversations}): a conversation exists from its first stored event on, and
 * nothing deletes all of a conversation's events.
 */
@FunctionalInterface
public interface StoredConversations {
  CompletionStage<Boolean> exists(String conversationId);

  /** Every conversation may exist: requests go to the entity as they always did (tests of other things). */
  StoredConversations ANY = conversationId -> CompletableFuture.completedFuture(true);
}
