package io.parley.conversation;

/** How far a member has got with a message: its device received it, or the member read it. */
public enum ReceiptStatus {
  DELIVERED,
  READ
}
