package io.parley.conversation;

import io.parley.conversation.ConversationActor.CountAdded;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.ReceiptsCounted;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.ReceiptCount;
import io.parley.conversation.ConversationState.State;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * A large group's receipts, aggregated: for each of its newest messages, how many members got it
 * live ({@code delivered}, as the relays report) and how many read it (their read marks passing
 * it), never one receipt per member. Counts gather here and are stored together at the next
 * tick; then each message's sender is told its new counts (once per tick, however many
 * receipts came). Counts that a crash catches before they are stored are lost: a count is never
 * told before it is stored, so it never goes back.
 */
final class ReceiptTally {
  private final String conversationId;
  private final EffectFactories<Event, State> effects;
  private final Recipients recipients;
  /** Per seq: delivered, read, not yet stored. */
  private final TreeMap<Long, long[]> waiting = new TreeMap<>();

  ReceiptTally(String conversationId, EffectFactories<Event, State> effects, Recipients recipients) {
    this.conversationId = conversationId;
    this.effects = effects;
    this.recipients = recipients;
  }

  /** A member's read mark moved from {@code fromSeq} to {@code toSeq}: each message between is read once more. */
  void read(Active state, String readerId, long fromSeq, long toSeq) {
    state.counted.subMap(fromSeq, false, toSeq, true).forEach((seq, count) -> {
      if (!count.senderId().equals(readerId)) {
        waiting.computeIfAbsent(seq, s -> new long[2])[1]++;
      }
    });
  }

  /** A relay handed messages to this many members live. */
  void relayed(Active state, List<CountAdded> delivered) {
    for (CountAdded d : delivered) {
      if (state.counted.containsKey(d.seq()) && d.delivered() > 0) {
        waiting.computeIfAbsent(d.seq(), s -> new long[2])[0] += d.delivered();
      }
    }
  }

  boolean idle() {
    return waiting.isEmpty();
  }

  /** The tick's write of what gathered, then the senders' notices; none if nothing did. */
  Effect<Event, State> store() {
    List<CountAdded> added = new ArrayList<>();
    waiting.forEach((seq, counts) -> added.add(new CountAdded(seq, counts[0], counts[1])));
    waiting.clear();
    return effects.persist(new ReceiptsCounted(added)).thenRun((State newState) -> {
      Active active = (Active) newState;
      for (CountAdded a : added) {
        ReceiptCount count = active.counted.get(a.seq());
        // An erased account's id come back is not told of the erased account's messages.
        if (count != null && a.seq() > active.erasedThrough(count.senderId())) {
          recipients.receiptCounts(count.senderId(), conversationId, a.seq(), count.delivered(), count.read());
        }
      }
    });
  }
}
