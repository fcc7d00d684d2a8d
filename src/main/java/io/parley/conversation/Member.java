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
    return status == ReceiptStatus.DELIVERED
        ? new Member(since, handedOff, seq, read)
        : new Member(since, handedOff, delivered, seq);
  }

  long watermark(ReceiptStatus status) {
    return status == ReceiptStatus.DELIVERED ? delivered : read;
  }
}
