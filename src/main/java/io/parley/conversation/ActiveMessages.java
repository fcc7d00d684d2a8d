package io.parley.conversation;

import io.parley.conversation.ConversationActor.MessagesAccepted;
import io.parley.conversation.ConversationActor.Receipt;
import io.parley.conversation.ConversationActor.SegmentArchived;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.ReceiptCount;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How events change an {@link Active} conversation's record of its messages: seqs, dedup,
 * senders, receipts and their counts, deletions, the cold tier and the journal's trimming. Part
 * of the pure event handler ({@link ConversationEvents}): each method reads nothing but the state
 * and the event.
 */
final class ActiveMessages {
  private ActiveMessages() {}

  /** A large group counts the receipts of this many of its newest messages. */
  static final int COUNTED_MESSAGES = 256;

  /** The dedup bounds of events written before {@link MessagesAccepted} recorded its own. */
  static final long LEGACY_DEDUP_WINDOW_MILLIS = Duration.ofHours(24).toMillis();
  static final int LEGACY_DEDUP_MAX_ENTRIES = 5000;

  /** Counts added to messages still counted; older ones keep what they had. */
  static Active receiptsCounted(Active state, List<ConversationActor.CountAdded> added) {
    for (ConversationActor.CountAdded a : added) {
      state.counted.computeIfPresent(a.seq(), (seq, c) -> new ReceiptCount(c.senderId(), c.delivered() + a.delivered(),
          c.read() + a.read()));
    }
    return state;
  }

  static Active messagesAccepted(Active state, MessagesAccepted e) {
    if (state.lastSeq == state.cold.archivedThrough()) {
      state.oldestHotTs = e.messages().get(0).serverTs();
    }
    long windowMillis = e.dedupWindowMillis() > 0 ? e.dedupWindowMillis() : LEGACY_DEDUP_WINDOW_MILLIS;
    int maxEntries = e.dedupMaxEntries() > 0 ? e.dedupMaxEntries() : LEGACY_DEDUP_MAX_ENTRIES;
    for (StoredMessage m : e.messages()) {
      state.lastSeq = m.seq();
      state.lastMessageTs = m.serverTs();
      state.dedup.add(DedupWindow.key(m.senderId(), m.clientMsgId()), new DedupWindow.Entry(m.seq(), m.serverTs()),
          windowMillis, maxEntries);
      state.senders.append(m.seq(), m.senderId());
    }
    state.index.record(e.messages().get(0).seq(), e.writeSeqNr());
    if (state.large) {
      state.lastMessage = e.messages().get(e.messages().size() - 1);
      e.messages().forEach(m -> state.counted.put(m.seq(), new ReceiptCount(m.senderId(), 0, 0)));
      while (state.counted.size() > COUNTED_MESSAGES) {
        state.counted.pollFirstEntry();
      }
    }
    return state;
  }

  static Active handoffsConfirmed(Active state, Map<String, Long> storedThrough) {
    storedThrough.forEach((userId, seq) -> state.members.computeIfPresent(userId, (id, m) -> m.withHandedOff(seq)));
    return state;
  }

  /** Receipts move watermarks; who sent what is kept only until everyone has read it. */
  static Active receiptsRecorded(Active state, List<Receipt> receipts) {
    for (Receipt r : receipts) {
      state.members.computeIfPresent(r.userId(), (id, m) -> m.withReceipt(r.status(), r.seq()));
    }
    state.senders.trimThrough(
        state.members.values().stream().mapToLong(m -> Math.min(m.delivered(), m.read())).min().orElse(0));
    return state;
  }

  /** Deletions recorded before notices were confirmed name no one who deleted them: none is owed. */
  static Active messageDeleted(Active state, ConversationActor.MessageDeleted e) {
    state.deleted.add(e.seq());
    if (e.deletedBy() != null && !state.large) {
      state.deletionNoticesOwed.owe(e.seq(), e.deletedBy(), e.ts());
    }
    return state;
  }

  static Active deletionNoticesSettled(Active state, Map<Long, List<String>> settled) {
    state.deletionNoticesOwed.settle(settled, state.members);
    return state;
  }

  static Active dedupSpilled(Active state, ConversationActor.DedupSpilled e) {
    state.dedup.dropSpilled(e.throughSeq(), e.untilTs(), e.generation(),
        e.windowMillis() > 0 ? e.windowMillis() : LEGACY_DEDUP_WINDOW_MILLIS);
    return state;
  }

  static Active segmentArchived(Active state, SegmentArchived e) {
    state.cold.add(new Segment(e.fromSeq(), e.toSeq()));
    boolean hotRemain = state.lastSeq > e.toSeq();
    state.index.archivedThrough(e.toSeq(), hotRemain, e.keepFromSeqNr());
    state.oldestHotTs = hotRemain ? e.nextHotTs() : 0;
    state.trimThrough = Math.max(state.trimThrough, e.keepFromSeqNr() - 1);
    return state;
  }

  static Active journalTrimmed(Active state, long throughSeqNr) {
    state.trimmedThrough = Math.max(state.trimmedThrough, throughSeqNr);
    return state;
  }
}
