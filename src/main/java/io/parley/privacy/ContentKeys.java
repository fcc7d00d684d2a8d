package io.parley.privacy;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Every user's content key, as this node knows it: read from the {@link KeyTable} once and
 * cached, created on a user's first send. Erasing a user deletes their key and tells every node
 * to forget it ({@link #onErased}), so that no node goes on sealing new content with it.
 */
public final class ContentKeys {
  /** A reader meeting a key id it does not know reads the table again, at most this often per user. */
  static final Duration RELOAD_AT_MOST_EVERY = Duration.ofSeconds(10);

  /** The user's key as read (empty: none), and when. */
  private record Loaded(Optional<ContentKey> key, long loadedAtNanos) {
    boolean holds(String keyId) {
      return key.isPresent() && key.get().keyId().equals(keyId);
    }
  }

  private final KeyTable table;
  private final AsyncCache<String, Loaded> cache;
  private volatile Consumer<String> erasedEverywhere = userId -> {};

  public ContentKeys(KeyTable table, long maxKeysCached) {
    this.table = table;
    // A failed read is not cached (Caffeine drops failed futures): the next request reads again.
    this.cache = Caffeine.newBuilder().maximumSize(maxKeysCached).buildAsync();
  }

  /** How an erasure reaches the other nodes (see {@link ErasedKeyNotices}). */
  public void onErased(Consumer<String> tellEveryNode) {
    this.erasedEverywhere = tellEveryNode;
  }

  /** The key {@code userId}'s new content is sealed with; created on first use. */
  public CompletionStage<ContentKey> forSending(String userId) {
    return load(userId).thenCompose(loaded -> {
      if (loaded.key().isPresent()) {
        return CompletableFuture.completedFuture(loaded.key().get());
      }
      return table.storeIfAbsent(ContentKey.generate(userId)).thenApply(key -> {
        cache.put(userId, CompletableFuture.completedFuture(new Loaded(Optional.of(key), System.nanoTime())));
        return key;
      });
    });
  }

  /** The key that sealed content of {@code userId} under {@code keyId}; empty once it is erased. */
  public CompletionStage<Optional<ContentKey>> forReading(String userId, String keyId) {
    return load(userId).thenCompose(loaded -> {
      if (loaded.holds(keyId)) {
        return CompletableFuture.completedFuture(loaded.key());
      }
      // Created on another node after this one read "none", or erased: the table says which.
      if (System.nanoTime() - loaded.loadedAtNanos() < RELOAD_AT_MOST_EVERY.toNanos()) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      cache.synchronous().invalidate(userId);
      return load(userId).thenApply(again -> again.holds(keyId) ? again.key() : Optional.empty());
    });
  }

  /** Deletes the user's key for good; every node forgets it. Repeating it is harmless. */
  public CompletionStage<Void> erase(String userId) {
    return table.delete(userId).thenRun(() -> {
      forget(userId);
      erasedEverywhere.accept(userId);
    });
  }

  /** Another node erased the user's key. */
  public void forget(String userId) {
    cache.synchronous().invalidate(userId);
  }

  private CompletableFuture<Loaded> load(String userId) {
    return cache.get(userId, (id, executor) -> table.read(id)
        .thenApply(key -> new Loaded(key, System.nanoTime()))
        .toCompletableFuture());
  }
}
