package io.parley.conversation;

import io.parley.cluster.JsonSerializable;

/**
 * A stored message as members see it. {@code clientMsgId} is the sender's id for it, so the
 * sending device can match the delivered copy to what it sent.
 */
public record ChatMessage(
    String conversationId,
    long seq,
    String messageId,
    String senderId,
    String clientMsgId,
    String content,
    String contentType,
    long serverTs)
    implements JsonSerializable {

  /** What a message deleted for everyone reads as: where and who it was, without content. */
  public static final String DELETED = "deleted";

  public ChatMessage tombstone() {
    return new ChatMessage(conversationId, seq, messageId, senderId, clientMsgId, "", DELETED, serverTs);
  }
}
