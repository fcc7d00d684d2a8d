package io.parley.privacy;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Every user's content key, as this node knows it: read from the {@link KeyTable} and cached for
 * at most {@code cacheFor}, created on a user's first send. Erasing a user first marks them as
 * erasing (no node seals anything new for them once its cache entry is renewed), deletes their key
 * once every entry read before the mark has expired, and tells every node to forget it at both
 * steps ({@link #onErased}). The notices are at most once; the expiry bounds how long a node that
 * missed one goes on: {@code cacheFor}.
 */
public final class ContentKeys {
  /** A reader meeting a key id it does not know reads the table again, at most this often per user. */
  static final Duration RELOAD_AT_MOST_EVERY = Duration.ofSeconds(10);
  /** How long a node keeps a key it read, unless configured ({@code parley.privacy.key-cache-ttl}). */
  public static final Duration DEFAULT_CACHE_FOR = Duration.ofSeconds(10);

  /** The user's row as read, and when (on {@link #ticker}). */
  private record Loaded(KeyTable.Row row, long loadedAtNanos) {
    boolean holds(String keyId) {
      return row.key().isPresent() && row.key().get().keyId().equals(keyId);
    }
  }

  private final KeyTable table;
  private final AsyncCache<String, Loaded> cache;
  private final ConcurrentHashMap<String, CompletableFuture<KeyTable.Row>> creating = new ConcurrentHashMap<>();
  private final Duration cacheFor;
  private final Ticker ticker;
  private final Clock clock;
  private volatile Consumer<String> erasedEverywhere = userId -> {};

  public ContentKeys(KeyTable table, long maxKeysCached) {
    this(table, maxKeysCached, DEFAULT_CACHE_FOR, Ticker.systemTicker(), Clock.systemUTC());
  }

  /** {@code ticker} and {@code clock}: the time of the cache and of the table's marks, which tests move. */
  public ContentKeys(KeyTable table, long maxKeysCached, Duration cacheFor, Ticker ticker, Clock clock) {
    this.table = table;
    this.cacheFor = cacheFor;
    this.ticker = ticker;
    this.clock = clock;
    // A failed read is not cached (Caffeine drops failed futures): the next request reads again.
    this.cache = Caffeine.newBuilder()
        .maximumSize(maxKeysCached)
        .expireAfterWrite(cacheFor)
        .ticker(ticker)
        .executor(Runnable::run) // upkeep on the caller: handing it to another pool wakes a thread per message
        .buildAsync();
  }

  /** How an erasure reaches the other nodes (see {@link ErasedKeyNotices}). */
  public void onErased(Consumer<String> tellEveryNode) {
    this.erasedEverywhere = tellEveryNode;
  }

  /**
   * The key {@code userId}'s new content is sealed with; created on first use. Fails with
   * {@link AccountErasing} while the user's account is being erased, and for {@link #cacheFor}
   * after, so that no node that still holds the erased key seals the returning id's content with it.
   */
  public CompletionStage<ContentKey> forSending(String userId) {
    return load(userId).thenCompose(loaded -> {
      KeyTable.Row row = loaded.row();
      if (row.key().isPresent() && !row.erasing()) {
        return CompletableFuture.completedFuture(row.key().get());
      }
      if (refused(row)) {
        return CompletableFuture.failedFuture(new AccountErasing());
      }
      return create(userId).thenApply(now -> {
        if (now.key().isEmpty() || now.erasing()) {
          throw new AccountErasing();
        }
        return now.key().get();
      });
    });
  }

  /**
   * Stores a new key for {@code userId} unless the table has one, once at a time per user: a new
   * account's first sends (ten at once from a busy client) all found no key, and each raced a key of
   * its own into the table, the losers refused and reading the winner's back.
   */
  private CompletionStage<KeyTable.Row> create(String userId) {
    CompletableFuture<KeyTable.Row> mine = new CompletableFuture<>();
    CompletableFuture<KeyTable.Row> running = creating.putIfAbsent(userId, mine);
    if (running != null) {
      return running;
    }
    long erasedBefore = clock.millis() - cacheFor.toMillis();
    table.storeIfAbsent(ContentKey.generate(userId), erasedBefore).whenComplete((now, failure) -> {
      if (failure == null) {
        cache.put(userId, CompletableFuture.completedFuture(new Loaded(now, ticker.read())));
      }
      creating.remove(userId, mine); // after the cache holds it, so that no send finds neither
      if (failure == null) {
        mine.complete(now);
      } else {
        mine.completeExceptionally(failure);
      }
    });
    return mine;
  }

  /**
   * Fails with {@link AccountErasing} when {@link #forSending} would; makes no key. For what a user
   * stores that is not sealed (media), so that an erasure finds it.
   */
  public CompletionStage<Void> requireNotErasing(String userId) {
    return load(userId).thenCompose(loaded -> refused(loaded.row())
        ? CompletableFuture.failedFuture(new AccountErasing())
        : CompletableFuture.completedFuture(null));
  }

  /** The key that sealed content of {@code userId} under {@code keyId}; empty once it is erased. */
  public CompletionStage<Optional<ContentKey>> forReading(String userId, String keyId) {
    return load(userId).thenCompose(loaded -> {
      if (loaded.holds(keyId)) {
        return CompletableFuture.completedFuture(loaded.row().key());
      }
      // Created on another node after this one read "none", or erased: the table says which.
      if (ticker.read() - loaded.loadedAtNanos() < RELOAD_AT_MOST_EVERY.toNanos()) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      cache.synchronous().invalidate(userId);
      return load(userId).thenApply(again -> again.holds(keyId) ? again.row().key() : Optional.empty());
    });
  }

  /**
   * The first step of an erasure: from now on no new content of {@code userId} is sealed (on a node
   * that missed the notice, once its entry expires). Repeating it is harmless.
   */
  public CompletionStage<Void> markErasing(String userId) {
    return markErasing(userId, Long.MAX_VALUE);
  }

  /**
   * {@link #markErasing(String)} for the erasure requested at {@code requestedTs}: its own mark,
   * written before a restart, is kept, so that the key waits out the cache time once, from then.
   */
  public CompletionStage<Void> markErasing(String userId, long requestedTs) {
    return table.markErasing(userId, clock.millis(), requestedTs).thenRun(() -> {
      forget(userId);
      erasedEverywhere.accept(userId);
    });
  }

  /**
   * The last step of an erasure: deletes the user's key for good, once every node's entry read
   * before {@link #markErasing} has expired (so none seals anything with it afterwards); every node
   * forgets it. Repeating it is harmless.
   */
  public CompletionStage<Void> erase(String userId) {
    return table.read(userId).thenCompose(row -> {
      long wait = row.erasingSince() + cacheFor.toMillis() - clock.millis();
      if (!row.erasing() || wait <= 0) {
        return CompletableFuture.completedFuture(null);
      }
      return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS));
    }).thenCompose(waited -> table.delete(userId)).thenRun(() -> {
      forget(userId);
      erasedEverywhere.accept(userId);
    });
  }

  /** Another node marked or erased the user's key. */
  public void forget(String userId) {
    cache.synchronous().invalidate(userId);
  }

  /** The user is being erased, or their erasure's mark is too recent for a new key. */
  private boolean refused(KeyTable.Row row) {
    return row.erasing() && (row.key().isPresent() || !settled(row));
  }

  /** An erased account's mark is old enough that no node still holds the key read before it. */
  private boolean settled(KeyTable.Row row) {
    return row.erasingSince() < clock.millis() - cacheFor.toMillis();
  }

  private CompletableFuture<Loaded> load(String userId) {
    return cache.get(userId, (id, executor) -> table.read(id)
        .thenApply(row -> new Loaded(row, ticker.read()))
        .toCompletableFuture());
  }

  /** The user's account is being erased (or was, moments ago): nothing new is sealed for them. */
  public static final class AccountErasing extends RuntimeException {
    public AccountErasing() {
      super("the account is being erased", null, false, false);
    }
  }
}
