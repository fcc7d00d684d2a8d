package io.parley.archive;

import io.parley.conversation.ChatMessage;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The most recently read cold segments, decoded, least recently used out first, within a count
 * and an approximate heap size (a segment of long messages takes megabytes). Readers of the same
 * segment at the same time share one S3 read. A failed read is not kept, so the next reader tries
 * S3 again.
 */
public final class SegmentCache {
  private final int maxSegments;
  private final long maxBytes;
  private final LinkedHashMap<String, CompletableFuture<List<ChatMessage>>> entries;
  /** The sizes of the loaded entries (those still loading count nothing yet). */
  private final Map<String, Long> bytesOf = new HashMap<>();
  private long bytes;
  private final AtomicLong loads = new AtomicLong();

  public SegmentCache(int maxSegments, long maxBytes) {
    this.maxSegments = maxSegments;
    this.maxBytes = maxBytes;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<List<ChatMessage>>> eldest) {
        boolean remove = size() > SegmentCache.this.maxSegments;
        if (remove) {
          forget(eldest.getKey());
        }
        return remove;
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
          List<ChatMessage> kept = List.copyOf(messages);
          synchronized (this) {
            if (entries.get(key) == loading) {
              bytesOf.put(key, approximateBytes(kept));
              bytes += bytesOf.get(key);
              evictBeyondMaxBytes(key);
            }
          }
          loading.complete(kept);
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

  /** Least recently used first, never the one just loaded: a lone oversized segment stays. */
  private void evictBeyondMaxBytes(String justLoaded) {
    var oldestFirst = entries.keySet().iterator();
    while (bytes > maxBytes && oldestFirst.hasNext()) {
      String key = oldestFirst.next();
      if (!key.equals(justLoaded) && bytesOf.containsKey(key)) {
        forget(key);
        oldestFirst.remove();
      }
    }
  }

  private void forget(String key) {
    Long size = bytesOf.remove(key);
    if (size != null) {
      bytes -= size;
    }
  }

  /** A message's heap: its strings (two bytes a char) and the objects around them. */
  static long approximateBytes(List<ChatMessage> messages) {
    long total = 0;
    for (ChatMessage m : messages) {
      total += 2L * (m.content().length() + m.clientMsgId().length() + m.senderId().length()
          + m.messageId().length() + m.conversationId().length()) + 200;
    }
    return total;
  }

  public synchronized long bytes() {
    return bytes;
  }

  public synchronized int size() {
    return entries.size();
  }

  /** How many reads went to the store: misses, for tests and operators. */
  public long loads() {
    return loads.get();
  }
}
