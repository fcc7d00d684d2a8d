package io.parley.user;

import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.ReceiptStatus;
import io.parley.conversation.Recipients;
import java.util.List;

/** Conversations reach their members through this: each call is one message to a user entity. */
public final class UserRecipients implements Recipients {
  private final Users users;

  public UserRecipients(Users users) {
    this.users = users;
  }

  @Override
  public void deliver(String userId, String conversationId, long fingerprint, ConversationInfo info, long memberSince,
      List<ChatMessage> messages, long readThrough, int unreadBefore) {
    users.user(userId).tell(new UserActor.Deliver(info, memberSince, messages, conversationId, fingerprint,
        readThrough, unreadBefore));
  }

  @Override
  public void conversationChanged(String userId, ConversationInfo info, long lastMessageTs) {
    users.user(userId).tell(new UserActor.ConversationChanged(info, lastMessageTs));
  }

  @Override
  public void receipt(String userId, String conversationId, long seq, String readerId, ReceiptStatus status) {
    users.user(userId).tell(new UserActor.DeliverReceipt(conversationId, seq, readerId, status));
  }

  @Override
  public void deleted(String userId, String conversationId, long seq, String deletedBy) {
    users.user(userId).tell(new UserActor.MessageDeleted(conversationId, seq, deletedBy));
  }

  @Override
  public void mentioned(String userId, String conversationId, long seq, String senderId) {
    users.user(userId).tell(new UserActor.Mentioned(conversationId, seq, senderId));
  }

  @Override
  public void receiptCounts(String senderId, String conversationId, long seq, long delivered, long read) {
    users.user(senderId).tell(new UserActor.Notify(new DeviceEvent.ReceiptCounts(conversationId, seq, delivered, read)));
  }

  @Override
  public void senderErased(String userId, String conversationId, String senderId, long throughSeq,
      List<Long> unread) {
    users.user(userId).tell(new UserActor.SenderErased(conversationId, senderId, throughSeq, unread));
  }

  @Override
  public void typing(String userId, String conversationId, String typistId) {
    users.user(userId).tell(new UserActor.Notify(new DeviceEvent.Typing(conversationId, typistId)));
  }
}
