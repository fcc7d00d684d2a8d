package io.parley.conversation;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The cold tier as a conversation's readers see it: the messages of one recorded segment.
 * {@code archive.ColdTier} is the S3 implementation; archiving depends on conversations, not the
 * other way round.
 */
public interface ColdStore {
  CompletionStage<List<ChatMessage>> read(String conversationId, Segment segment);
}
