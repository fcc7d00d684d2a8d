package io.parley.conversation;

import io.parley.cluster.JsonSerializable;

/** A stored message as members see it. */
public record ChatMessage(
    String conversationId,
    long seq,
    String messageId,
    String senderId,
    String content,
    String contentType,
    long serverTs)
    implements JsonSerializable {}
