package io.parley.conversation;

import java.util.List;

/**
 * What a conversation tells its members' user entities. The user side implements it
 * ({@code user.UserRecipients}), so that conversations do not depend on users.
 */
public interface Recipients {
  /**
   * Messages for the member's delivery stream, from after {@code memberSince}. The member's user
   * entity answers with {@link ConversationActor.HandedOff} once it has stored them.
   * {@code info} is null when the member's user entity reported holding the membership
   * {@code fingerprint} names: a group's member list is not sent with every message. With the list,
   * {@code readThrough} is how far the member read and {@code unreadBefore} how many messages of
   * others after that come before these ({@link EarlierUnread}); 0 without it.
   */
  void deliver(String userId, String conversationId, long fingerprint, ConversationInfo info, long memberSince,
      List<ChatMessage> messages, long readThrough, int unreadBefore);

  /**
   * The conversation's title or members changed, or the member left it. The user entity answers
   * with {@link ConversationActor.MembershipHeld} once it has stored it.
   */
  void conversationChanged(String userId, ConversationInfo info, long lastMessageTs);

  /**
   * {@code readerId} received or read through {@code seq}; the member's devices get it now or
   * when they reconnect.
   */
  void receipt(String userId, String conversationId, long seq, String readerId, ReceiptStatus status);

  /** Message {@code seq} was deleted for everyone by its sender, {@code deletedBy}. */
  void deleted(String userId, String conversationId, long seq, String deletedBy);

  /**
   * {@code senderId}'s account was erased: their messages through {@code throughSeq} read as
   * tombstones; {@code unread}, those of them after the member's read receipt that became
   * tombstones now (not deleted before, nor erased before under the same id), as from/to pairs
   * ({@link SenderRuns#runsOf}).
   */
  void senderErased(String userId, String conversationId, String senderId, long throughSeq, List<Long> unread);

  /** Message {@code seq} of a large group mentions the member: pushed if they are offline, as any message in a small one. */
  void mentioned(String userId, String conversationId, long seq, String senderId);

  /**
   * A large group's message {@code seq} of {@code senderId} reached {@code delivered} members live
   * and was read by {@code read}: for the sender's connected devices only, never stored.
   */
  void receiptCounts(String senderId, String conversationId, long seq, long delivered, long read);

  /** {@code typistId} is typing; for the member's connected devices only. */
  void typing(String userId, String conversationId, String typistId);
}
