package io.parley.conversation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one archive run moves: the longest run of messages from the first hot one that are all
 * older than the cutoff, at most a segment's worth. Server timestamps never decrease along seq,
 * so that run is exactly the old part. The first message left behind, when it was read, tells
 * the conversation when the next run is due and where in the journal hot messages start.
 *
 * @param nextHotTs the first hot message's timestamp after this run, 0 if it was not read
 * @param nextHotWriteSeqNr the journal sequence number where the write holding it starts, 0 if
 *     it was not read
 */
record ArchivePlan(
    Segment segment, List<ChatMessage> messages, long nextHotTs, long nextHotWriteSeqNr) {

  /**
   * @param loaded messages from {@code fromSeq} on, ascending, with where their writes start
   */
  static Optional<ArchivePlan> of(
      List<ConversationJournal.Written> loaded, long fromSeq, long cutoffTs, int maxMessages) {
    List<ChatMessage> old = new ArrayList<>();
    for (ConversationJournal.Written written : loaded) {
      ChatMessage m = written.message();
      if (m.seq() != fromSeq + old.size()) {
        throw new IllegalStateException("journal read is not contiguous at seq " + m.seq());
      }
      if (m.serverTs() >= cutoffTs || old.size() == maxMessages) {
        if (old.isEmpty()) {
          return Optional.empty();
        }
        return Optional.of(new ArchivePlan(
            new Segment(fromSeq, fromSeq + old.size() - 1), List.copyOf(old), m.serverTs(), written.writeSeqNr()));
      }
      old.add(m);
    }
    return old.isEmpty()
        ? Optional.empty()
        : Optional.of(new ArchivePlan(new Segment(fromSeq, fromSeq + old.size() - 1), List.copyOf(old), 0, 0));
  }

  /** The timestamp of the first hot message, when nothing was old enough to move. */
  static long firstTs(List<ConversationJournal.Written> loaded) {
    return loaded.isEmpty() ? 0 : loaded.get(0).message().serverTs();
  }

  long lastArchivedTs() {
    return messages.get(messages.size() - 1).serverTs();
  }
}
