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
  private final Map<String, ContentKey> keys = new ConcurrentHashMap<>();

  @Override
  public CompletionStage<Optional<ContentKey>> read(String userId) {
    return CompletableFuture.completedFuture(Optional.ofNullable(keys.get(userId)));
  }

  @Override
  public CompletionStage<ContentKey> storeIfAbsent(ContentKey key) {
    return CompletableFuture.completedFuture(keys.computeIfAbsent(key.userId(), id -> key));
  }

  @Override
  public CompletionStage<Void> delete(String userId) {
    keys.remove(userId);
    return CompletableFuture.completedFuture(null);
  }
}
