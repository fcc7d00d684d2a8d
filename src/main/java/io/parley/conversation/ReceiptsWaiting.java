package io.parley.conversation;

import io.parley.conversation.ConversationActor.Receipt;
import io.parley.conversation.ConversationState.Active;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Members' delivered and read receipts waiting for the conversation's next write. Receipts are
 * cumulative, so only the highest per member and status waits; once recorded, the senders of the
 * messages they cover are told (a delivered one even below the member's read mark: PROTOCOL.md
 * promises one per ack, and clients rank read above delivered). A sender who left the group is
 * told no more receipts of it.
 */
final class ReceiptsWaiting {
  private record Watermark(String userId, ReceiptStatus status) {}

  /** One write's receipts, and the notices to send once they are stored. */
  record Taken(List<Receipt> receipts, List<Runnable> notices) {}

  private final String conversationId;
  private final Recipients recipients;
  private final Map<Watermark, Long> waiting = new LinkedHashMap<>();
  private long waitingSinceMillis;

  ReceiptsWaiting(String conversationId, Recipients recipients) {
    this.conversationId = conversationId;
    this.recipients = recipients;
  }

  /**
   * Keeps a receipt that moves the member's watermark. Returns whether it tells anyone anything
   * (a member's devices acking or reading the member's own messages do not): only then is it
   * worth a write of its own.
   */
  boolean offer(Active state, String userId, ReceiptStatus status, long seq, long now) {
    Member member = state.members.get(userId);
    if (member == null) {
      return false;
    }
    long previous = member.watermark(status);
    long upTo = Math.min(seq, state.lastSeq);
    if (upTo <= previous) {
      return false;
    }
    if (waiting.isEmpty()) {
      waitingSinceMillis = now;
    }
    waiting.merge(new Watermark(userId, status), seq, Math::max);
    return !sendersToTell(state, userId, previous, upTo).isEmpty();
  }

  /** The senders of messages in ({@code after}, {@code upTo}] who are still members, but the member whose receipt it is. */
  private static List<String> sendersToTell(Active state, String userId, long after, long upTo) {
    return state.senders.sendersBetween(after, upTo).stream()
        .filter(sender -> !sender.equals(userId) && state.members.containsKey(sender))
        .filter(sender -> sentSinceErased(state, sender, after, upTo))
        .toList();
  }

  /** An erased account's messages are not those of the same id come back: a receipt of only those tells it nothing. */
  private static boolean sentSinceErased(Active state, String sender, long after, long upTo) {
    long erased = state.erasedThrough(sender);
    return erased <= after || erased < upTo && state.senders.sendersBetween(erased, upTo).contains(sender);
  }

  int size() {
    return waiting.size();
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  boolean waitedAtLeast(long millis, long now) {
    return !waiting.isEmpty() && now - waitingSinceMillis >= millis;
  }

  void clear() {
    waiting.clear();
  }

  /** The waiting receipts that still move a watermark, and the notices to their messages' senders. */
  Taken take(Active state) {
    List<Receipt> receipts = new ArrayList<>();
    List<Runnable> notices = new ArrayList<>();
    waiting.forEach((watermark, seq) -> {
      Member member = state.members.get(watermark.userId());
      if (member == null) {
        return;
      }
      long previous = member.watermark(watermark.status());
      long upTo = Math.min(seq, state.lastSeq);
      if (upTo <= previous) {
        return;
      }
      receipts.add(new Receipt(watermark.userId(), watermark.status(), upTo));
      List<String> senders = sendersToTell(state, watermark.userId(), previous, upTo);
      notices.add(() -> senders.forEach(
          sender -> recipients.receipt(sender, conversationId, upTo, watermark.userId(), watermark.status())));
    });
    waiting.clear();
    return new Taken(receipts, notices);
  }
}
