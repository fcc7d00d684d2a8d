package io.parley.user;

import io.parley.conversation.ChatMessage;

/**
 * What the inbox shows of a conversation's last message: its first characters, or for a sealed
 * message the preview the gateway sealed beside it ({@code keyId}: the key it is sealed with, as in
 * {@link Inbox.Entry}; null for a preview in plain text).
 */
public record InboxPreview(String text, String keyId) {
  /**
   * What stands for a message deleted for everyone, or of an erased sender: plain, like
   * {@code [media]}, so every client shows the entry's last message as gone rather than blank.
   */
  public static final InboxPreview DELETED = new InboxPreview("[deleted]", null);

  static final int MAX_CHARS = 100;
  /**
   * A preview is stored sealed in every member's inbox, and sealed bytes do not compress: within
   * this many UTF-8 bytes, the largest inbox still fits its snapshot (UserSnapshotSizeTest).
   */
  static final int MAX_BYTES = 48;

  /** A sealed message's preview is sealed too: the gateway made it when it sealed the content. */
  public static InboxPreview of(ChatMessage message) {
    if ("media".equals(message.contentType()) || !message.sealed()) {
      return new InboxPreview(ofPlain(message.content(), message.contentType()), null);
    }
    return new InboxPreview(message.preview() != null ? message.preview() : message.content(), message.keyId());
  }

  /** The preview of plain {@code content}; the content itself when short enough. */
  public static String ofPlain(String content, String contentType) {
    if ("media".equals(contentType)) {
      return "[media]";
    }
    if (ChatMessage.DELETED.equals(contentType)) {
      return DELETED.text();
    }
    int chars = content.codePointCount(0, content.length());
    if (chars <= MAX_CHARS && utf8Bytes(content, content.length()) <= MAX_BYTES) {
      return content;
    }
    // Room for the ellipsis: one character, three bytes.
    int end = chars < MAX_CHARS ? content.length() : content.offsetByCodePoints(0, MAX_CHARS - 1);
    while (utf8Bytes(content, end) > MAX_BYTES - 3) {
      end = content.offsetByCodePoints(end, -1);
    }
    return content.substring(0, end) + "…";
  }

  private static int utf8Bytes(String s, int end) {
    int bytes = 0;
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3; // a surrogate pair: 4
    }
    return bytes;
  }
}
