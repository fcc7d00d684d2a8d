package io.parley.user;

import io.parley.cluster.JsonSerializable;
import java.util.List;

/** One conversation as the user's inbox shows it. */
public record InboxItem(
    String conversationId,
    String title,
    List<String> members,
    long lastSeq,
    String lastMessagePreview,
    String lastSenderId,
    long lastMessageTs,
    int unreadCount)
    implements JsonSerializable {}
