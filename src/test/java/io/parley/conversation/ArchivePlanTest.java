package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The archive run planner (ArchiveRuns' choice of what moves). */
class ArchivePlanTest {
  static ChatMessage message(long seq, long ts) {
    return new ChatMessage("g.x", seq, "m" + seq, "alice", "c" + seq, "hé \"quoted\"\nline " + seq, "text", ts);
  }

  @Test
  void aRunTakesTheOldPrefixAtMostASegmentAndRemembersTheFirstHotMessage() {
    List<ConversationJournal.Written> loaded = LongStream.rangeClosed(5, 10)
        .mapToObj(seq -> new ConversationJournal.Written(message(seq, 100 + seq), 1000 + seq / 2))
        .toList();
    ArchivePlan byAge = ArchivePlan.of(loaded, 5, 108, 100).orElseThrow();
    assertEquals(new Segment(5, 7), byAge.segment());
    assertEquals(108, byAge.nextHotTs());
    assertEquals(1004, byAge.nextHotWriteSeqNr(), "where the write holding seq 8 starts");

    ArchivePlan bySize = ArchivePlan.of(loaded, 5, 1_000, 2).orElseThrow();
    assertEquals(new Segment(5, 6), bySize.segment());

    ArchivePlan all = ArchivePlan.of(loaded, 5, 1_000, 100).orElseThrow();
    assertEquals(new Segment(5, 10), all.segment());
    assertEquals(0, all.nextHotWriteSeqNr(), "no hot message was read");

    assertEquals(java.util.Optional.empty(), ArchivePlan.of(loaded, 5, 105, 100), "nothing old enough");
    assertThrows(IllegalStateException.class, () -> ArchivePlan.of(loaded, 4, 1_000, 100), "a read with a hole");
  }
}
