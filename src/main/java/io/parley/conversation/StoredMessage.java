package io.parley.conversation;

import io.parley.cluster.JsonSerializable;

/**
 * A message as the conversation's journal stores it (the conversation id is the entity's); its
 * content sealed as {@link ChatMessage} describes.
 */
public record StoredMessage(
    long seq,
    String senderId,
    String clientMsgId,
    String content,
    String contentType,
    long serverTs,
    String keyId,
    String preview)
    implements JsonSerializable {

  public ChatMessage toChatMessage(String conversationId) {
    return new ChatMessage(
        conversationId,
        seq,
        MessageIds.of(conversationId, seq, serverTs),
        senderId,
        clientMsgId,
        content,
        contentType,
        serverTs,
        keyId,
        preview);
  }
}
