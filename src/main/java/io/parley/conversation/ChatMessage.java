package io.parley.conversation;

import io.parley.cluster.JsonSerializable;

/**
 * A stored message as members see it. {@code clientMsgId} is the sender's id for it, so the
 * sending device can match the delivered copy to what it sent.
 *
 * <p>Entities carry content sealed with its sender's content key ({@code keyId}; null for
 * content stored before content was sealed): only the gateway opens it. {@code preview}, sealed
 * the same way, is the inbox preview of a text too long to be its own; null otherwise.
 */
public record ChatMessage(
    String conversationId,
    long seq,
    String messageId,
    String senderId,
    String clientMsgId,
    String content,
    String contentType,
    long serverTs,
    String keyId,
    String preview)
    implements JsonSerializable {

  /** What a message deleted for everyone reads as: where and who it was, without content. */
  public static final String DELETED = "deleted";

  /** A message whose content is plain text. */
  public ChatMessage(String conversationId, long seq, String messageId, String senderId, String clientMsgId,
      String content, String contentType, long serverTs) {
    this(conversationId, seq, messageId, senderId, clientMsgId, content, contentType, serverTs, null, null);
  }

  public boolean sealed() {
    return keyId != null;
  }

  public ChatMessage tombstone() {
    return new ChatMessage(conversationId, seq, messageId, senderId, clientMsgId, "", DELETED, serverTs);
  }

  /** This message with its content opened. */
  public ChatMessage opened(String plainContent) {
    return new ChatMessage(conversationId, seq, messageId, senderId, clientMsgId, plainContent, contentType, serverTs);
  }
}
