package io.parley.archive;

import io.parley.conversation.ColdStore;
import io.parley.conversation.Segment;
import com.typesafe.config.Config;
import io.parley.conversation.ChatMessage;
import io.parley.storage.S3ConnectorSettings;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Conversations' old messages in S3: writes a segment, and reads one back through a bounded cache
 * of recently read segments. Which segments exist is the ConversationActor's state, never a
 * bucket listing.
 */
public final class ColdTier implements ColdStore {
  private final SegmentStore store;
  private final SegmentCache cache;

  public ColdTier(SegmentStore store, SegmentCache cache) {
    this.store = store;
    this.cache = cache;
  }

  public static ColdTier from(Config config, ActorSystem<?> system) {
    return new ColdTier(
        new SegmentStore(config.getString("parley.s3.bucket"), S3ConnectorSettings.from(config), system),
        new SegmentCache(config.getInt("parley.archive.cache-segments"), config.getBytes("parley.archive.cache-bytes")));
  }

  /** Stores {@code messages} (exactly the segment's seqs, ascending) and returns the key. */
  public CompletionStage<String> write(String conversationId, Segment segment, List<ChatMessage> messages) {
    requireExactly(segment, messages, "writing");
    String key = segment.key(conversationId);
    return store.put(key, SegmentFormat.encode(messages)).thenApply(done -> key);
  }

  @Override
  public CompletionStage<List<ChatMessage>> read(String conversationId, Segment segment) {
    String key = segment.key(conversationId);
    return cache.get(key, () -> store.get(key)
        .exceptionallyCompose(failure -> SegmentStore.isMissing(failure)
            ? store.get(segment.legacyKey(conversationId))
            : CompletableFuture.failedFuture(failure))
        .thenCompose(bytes -> {
      List<ChatMessage> messages = SegmentFormat.decode(conversationId, bytes);
      try {
        requireExactly(segment, messages, "reading " + key);
      } catch (IllegalStateException wrong) {
        return CompletableFuture.failedFuture(wrong);
      }
      return CompletableFuture.completedFuture(messages);
    }));
  }

  /**
   * Deletes the objects other than {@code recorded}'s that start where it starts: writes of runs
   * cut short. One landing after this call stays behind, unread.
   */
  public CompletionStage<Integer> removeStrays(String conversationId, Segment recorded) {
    return store.deleteAllBut(recorded.startPrefix(conversationId), recorded.key(conversationId));
  }

  public SegmentCache cache() {
    return cache;
  }

  private static void requireExactly(Segment segment, List<ChatMessage> messages, String doing) {
    boolean exact = messages.size() == segment.size();
    for (int i = 0; exact && i < messages.size(); i++) {
      exact = messages.get(i).seq() == segment.fromSeq() + i;
    }
    if (!exact) {
      throw new IllegalStateException(
          doing + ": segment " + segment + " does not hold exactly its messages (" + messages.size() + " found)");
    }
  }
}
