package io.parley.push;

/**
 * One wake-up push to one device token. It holds metadata only: there is no field for message
 * content, so no provider can ever be handed any.
 */
public record PushNotification(
    String userId,
    String platform,
    String token,
    String conversationId,
    long seq,
    String senderId,
    int badge) {}
