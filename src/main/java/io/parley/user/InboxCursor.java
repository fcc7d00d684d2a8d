package io.parley.user;

/**
 * Where an inbox page starts. Pages come newest first and, among entries of one
 * {@code last_message_ts}, by conversation id; "strictly older than {@code beforeTs}" alone skips
 * the entries that tie with a page's last one, so {@code afterConversationId} names that entry and
 * the page goes on with the ties that sort after it.
 */
public record InboxCursor(Long beforeTs, String afterConversationId) {
  public static final InboxCursor NEWEST = new InboxCursor(null, null);

  public boolean admits(long lastMessageTs, String conversationId) {
    if (beforeTs == null) {
      return true;
    }
    return lastMessageTs < beforeTs
        || (afterConversationId != null && lastMessageTs == beforeTs && conversationId.compareTo(afterConversationId) > 0);
  }
}
