package io.parley.user;

import io.parley.cluster.JsonSerializable;
import java.util.List;

/**
 * One conversation as the user's inbox shows it; the preview sealed under {@code previewKeyId}
 * (null: plain text), which the gateway opens.
 */
public record InboxItem(
    String conversationId,
    String title,
    List<String> members,
    long lastSeq,
    String lastMessagePreview,
    String lastSenderId,
    long lastMessageTs,
    int unreadCount,
    String previewKeyId)
    implements JsonSerializable {}
