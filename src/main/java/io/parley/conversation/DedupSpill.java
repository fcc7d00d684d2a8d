package io.parley.conversation;

import io.parley.cluster.Done;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where idempotency keys go when a conversation's state holds more than it should: the keys of
 * its older messages, still inside the 24 h window, are stored here before they leave the state,
 * and a send whose key the state no longer knows is looked up here. The DynamoDB table
 * ({@code storage/DynamoDbDedupTable}) implements it; {@link #NONE} keeps only what the state
 * holds (unit tests of the entity).
 */
public interface DedupSpill {
  DedupSpill NONE = new DedupSpill() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public CompletionStage<Done> store(String conversationId, Map<Long, DedupWindow.Entry> entries, long expiresAtMillis) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("no dedup table"));
    }

    @Override
    public CompletionStage<Map<Long, DedupWindow.Entry>> find(String conversationId, Collection<Long> keys) {
      return CompletableFuture.completedFuture(Map.of());
    }
  };

  boolean enabled();

  /** Stores the entries (key → seq and time); they may be forgotten after {@code expiresAtMillis}. */
  CompletionStage<Done> store(String conversationId, Map<Long, DedupWindow.Entry> entries, long expiresAtMillis);

  /** The stored entries among {@code keys}. */
  CompletionStage<Map<Long, DedupWindow.Entry>> find(String conversationId, Collection<Long> keys);
}
