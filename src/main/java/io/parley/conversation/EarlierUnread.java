package io.parley.conversation;

import io.parley.conversation.ConversationState.Active;

/**
 * How many messages a member has not read that a hand-off does not carry: a member's inbox keeps
 * only their newest conversations, and one it dropped comes back with its next message, whose
 * hand-off then says how far the member read (their read receipt) and how many messages of
 * others after that came before it. Counted from who sent what ({@link SenderRuns}, kept for
 * messages not yet read by everyone), less the tombstones (deleted, or of an erased sender): one
 * pass over the runs, and a look-up per deleted message. A run no longer kept counts as others'.
 */
final class EarlierUnread {
  private EarlierUnread() {}

  /** Others' readable messages in (after, through]. */
  static int count(Active state, String userId, long after, long through) {
    if (through <= after) {
      return 0;
    }
    long[] count = {through - after};
    state.senders.forEachRun(after, through, (from, to, sender) ->
        count[0] -= Math.max(0, Math.min(to, goneThrough(state, userId, sender)) - from + 1));
    for (long seq : state.deleted.between(after + 1, through)) {
      String sender = state.senders.senderOf(seq);
      if (sender == null || seq > goneThrough(state, userId, sender)) {
        count[0]--; // not taken off with its run
      }
    }
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, count[0]));
  }

  /** Through which seq a sender's messages are no one's to read: the member's own all, an erased sender's to the erasure. */
  private static long goneThrough(Active state, String userId, String sender) {
    return sender.equals(userId) ? Long.MAX_VALUE : state.erasedThrough(sender);
  }
}
