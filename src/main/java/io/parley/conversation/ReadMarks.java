package io.parley.conversation;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.conversation.ConversationActor.Command;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.LargeMembers.ReadMarksStored;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * How far each member of a large group has read, in their rows: their unread count is the group's
 * last seq less their mark, so no member is told of each message. Marks that arrive while one
 * write is in flight go together in the next (group commit); a read is answered once stored. A
 * member's own message moves their mark too: what one wrote is not unread.
 */
final class ReadMarks {
  private final String conversationId;
  private final ActorContext<Command> ctx;

  private final Map<String, GroupMembers.Row> waiting = new LinkedHashMap<>();
  private final List<ActorRef<Outcome<Done>>> waitingReplies = new ArrayList<>();

  private final ReceiptTally tally;
  private final KnownMembers known;

  ReadMarks(String conversationId, ActorContext<Command> ctx, ReceiptTally tally, KnownMembers known) {
    this.tally = tally;
    this.conversationId = conversationId;
    this.ctx = ctx;
    this.known = known;
  }

  /** A member (known from the rows) read through {@code seq}; {@code replyTo} may be null. */
  void read(Active state, String userId, long seq, ActorRef<Outcome<Done>> replyTo) {
    GroupMembers.Row row = known.row(userId).orElse(null);
    if (row == null) {
      if (replyTo != null) {
        replyTo.tell(ConversationActor.notMember(conversationId, userId));
      }
      return;
    }
    long through = Math.min(seq, state.lastSeq);
    if (through > row.readThrough()) {
      tally.read(state, userId, row.readThrough(), through);
      GroupMembers.Row moved = new GroupMembers.Row(userId, row.since(), through);
      known.joined(moved);
      waiting.put(userId, moved);
    }
    if (replyTo != null) {
      // Answered with the next write: a mark of the member already on its way is stored by then.
      waitingReplies.add(replyTo);
    }
  }

  /** Members who left: a mark of theirs must not write their row back. */
  void forget(List<String> userIds) {
    userIds.forEach(waiting::remove);
  }

  /** The marks waiting, and the reads answered once they are stored: one write's worth. */
  record Batch(List<GroupMembers.Row> marks, List<ActorRef<Outcome<Done>>> replies) {}

  boolean anyWaiting() {
    return !waiting.isEmpty() || !waitingReplies.isEmpty();
  }

  Batch take() {
    Batch batch = new Batch(List.copyOf(waiting.values()), List.copyOf(waitingReplies));
    waiting.clear();
    waitingReplies.clear();
    return batch;
  }

  /** A write came back; marks that failed wait for the next one (a newer mark of the member wins). */
  void stored(ReadMarksStored stored) {
    if (stored.failure() != null) {
      ctx.getLog().warn("Storing read marks in {} failed, retried: {}", conversationId, stored.failure());
      stored.marks().forEach(mark -> waiting.putIfAbsent(mark.userId(), mark));
    }
    Outcome<Done> outcome = stored.failure() == null
        ? Outcome.ok(Done.INSTANCE)
        : Outcome.rejected(Reason.UNAVAILABLE, "could not store the read mark; retry");
    stored.replies().forEach(replyTo -> replyTo.tell(outcome));
  }

  boolean idle() {
    return !anyWaiting();
  }
}
