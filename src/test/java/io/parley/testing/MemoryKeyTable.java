package io.parley.testing;

import io.parley.privacy.ContentKey;
import io.parley.privacy.KeyTable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Content keys in memory, for tests of the gateway and the entities that do not claim anything
 * about storage; the DynamoDB table itself is tested against the embedded store.
 */
public final class MemoryKeyTable implements KeyTable {
  private final Map<String, Row> rows = new ConcurrentHashMap<>();

  @Override
  public CompletionStage<Row> read(String userId) {
    return CompletableFuture.completedFuture(rows.getOrDefault(userId, Row.NONE));
  }

  @Override
  public CompletionStage<Row> storeIfAbsent(ContentKey key, long erasedBefore) {
    return CompletableFuture.completedFuture(rows.compute(key.userId(), (id, row) ->
        row == null || row.key().isEmpty() && row.erasingSince() < erasedBefore ? Row.of(key) : row));
  }

  @Override
  public CompletionStage<Void> markErasing(String userId, long since, long keepFrom) {
    rows.compute(userId, (id, row) -> row != null && row.erasing() && row.erasingSince() >= keepFrom ? row
        : new Row(row == null ? Optional.empty() : row.key(), since));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> delete(String userId) {
    rows.computeIfPresent(userId, (id, row) -> row.erasing() ? new Row(Optional.empty(), row.erasingSince()) : null);
    return CompletableFuture.completedFuture(null);
  }

  /**
   * This table, but each key it is asked to store is stored only once {@code release} completes
   * (and is refused as it fails): a store that is slow, or down, for a new account's first key.
   * {@code asked} runs as each is asked.
   */
  public KeyTable storingAfter(CompletionStage<?> release, Runnable asked) {
    KeyTable table = this;
    return new KeyTable() {
      @Override
      public CompletionStage<Row> read(String userId) {
        return table.read(userId);
      }

      @Override
      public CompletionStage<Row> storeIfAbsent(ContentKey key, long erasedBefore) {
        asked.run();
        return release.thenCompose(go -> table.storeIfAbsent(key, erasedBefore));
      }

      @Override
      public CompletionStage<Void> markErasing(String userId, long since, long keepFrom) {
        return table.markErasing(userId, since, keepFrom);
      }

      @Override
      public CompletionStage<Void> delete(String userId) {
        return table.delete(userId);
      }
    };
  }
}
