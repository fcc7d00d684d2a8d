package io.parley.archive;

import io.parley.conversation.ChatMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The most recently read cold segments, decoded, least recently used out first. Readers of the
 * same segment at the same time share one S3 read. A failed read is not kept, so the next reader
 * tries S3 again.
 */
public final class SegmentCache {
  private final int maxSegments;
  private final LinkedHashMap<String, CompletableFuture<List<ChatMessage>>> entries;
  private final AtomicLong loads = new AtomicLong();

  public SegmentCache(int maxSegments) {
    this.maxSegments = maxSegments;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<List<ChatMessage>>> eldest) {
        return size() > SegmentCache.this.maxSegments;
      }
    };
  }

  public CompletionStage<List<ChatMessage>> get(String key, Supplier<CompletionStage<List<ChatMessage>>> load) {
    CompletableFuture<List<ChatMessage>> future;
    synchronized (this) {
      future = entries.get(key);
      if (future != null) {
        return future;
      }
      future = new CompletableFuture<>();
      if (maxSegments > 0) {
        entries.put(key, future);
      }
    }
    loads.incrementAndGet();
    CompletableFuture<List<ChatMessage>> loading = future;
    try {
      load.get().whenComplete((messages, failure) -> {
        if (failure != null) {
          synchronized (this) {
            entries.remove(key, loading);
          }
          loading.completeExceptionally(failure);
        } else {
          loading.complete(List.copyOf(messages));
        }
      });
    } catch (RuntimeException e) {
      synchronized (this) {
        entries.remove(key, loading);
      }
      loading.completeExceptionally(e);
    }
    return loading;
  }

  public synchronized int size() {
    return entries.size();
  }

  /** How many reads went to the store: misses, for tests and operators. */
  public long loads() {
    return loads.get();
  }
}
