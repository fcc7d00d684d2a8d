package io.parley.conversation;

import io.parley.cluster.Done;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where idempotency keys go when a conversation's state holds more than it should: the keys of
 * its older messages, still inside the 24 h window, are stored here before they leave the state,
 * and a send whose key may be among them ({@link SpilledKeys}) is looked up here. The DynamoDB table
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
    public CompletionStage<Done> store(
        String conversationId, long generation, Map<Long, DedupWindow.Entry> entries, long expiresAtMillis) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("no dedup table"));
    }

    @Override
    public CompletionStage<Map<Long, DedupWindow.Entry>> find(
        String conversationId, Map<Long, SpilledKeys.Whereabouts> keys) {
      return CompletableFuture.completedFuture(Map.of());
    }
  };

  boolean enabled();

  /**
   * Stores the entries (key → seq and time) with the others of {@code generation}; they may be
   * forgotten after {@code expiresAtMillis}.
   */
  CompletionStage<Done> store(
      String conversationId, long generation, Map<Long, DedupWindow.Entry> entries, long expiresAtMillis);

  /** The stored entries among {@code keys}, each looked for where it may be. */
  CompletionStage<Map<Long, DedupWindow.Entry>> find(String conversationId, Map<Long, SpilledKeys.Whereabouts> keys);
}
