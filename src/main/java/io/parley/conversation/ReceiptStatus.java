package io.parley.conversation;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/**
 * How far a member has got with a message: its device received it, or the member read it. A new
 * status goes before {@link #UNKNOWN}'s place is taken: stored pending queues name statuses by
 * position ({@code user/PackedPending}), and UNKNOWN is never stored.
 */
public enum ReceiptStatus {
  DELIVERED,
  READ,
  /**
   * A status of a later version, read here (a rolling update): it moves no watermark and is not
   * passed on, so a receipt this node cannot name changes nothing here.
   */
  @JsonEnumDefaultValue
  UNKNOWN
}
