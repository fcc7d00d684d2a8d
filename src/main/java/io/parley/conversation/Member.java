package io.parley.conversation;

import io.parley.cluster.JsonSerializable;

/**
 * Per member: messages after {@code since} are theirs; {@code handedOff} is how far their
 * UserActor confirmed storing; {@code delivered}/{@code read} are the receipt watermarks.
 */
public record Member(long since, long handedOff, long delivered, long read)
    implements JsonSerializable {
  Member withHandedOff(long seq) {
    return new Member(since, Math.max(handedOff, seq), delivered, read);
  }

  Member withReceipt(ReceiptStatus status, long seq) {
    return switch (status) {
      case DELIVERED -> new Member(since, handedOff, seq, read);
      case READ -> new Member(since, handedOff, delivered, seq);
      case UNKNOWN -> this; // a later version's status: no watermark of this one's
    };
  }

  /**
   * How far the member acked or read, as a receipt moves it and their export shows it. Never below
   * {@code since}: what came before is not theirs. It matters only for an erased account's id come
   * back to a direct conversation, whose stored marks are still the erased account's (a member
   * added later starts with marks at {@code since}).
   */
  long watermark(ReceiptStatus status) {
    return Math.max(since, status == ReceiptStatus.DELIVERED ? delivered : read);
  }
}
