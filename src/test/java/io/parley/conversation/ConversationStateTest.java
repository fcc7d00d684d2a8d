package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ConversationActor's compact state parts and id rules. */
class ConversationStateTest {

  @Test
  void journalIndexPointsReadersAtTheWriteHoldingTheirFirstMessage() {
    JournalIndex index = new JournalIndex();
    // Messages 1..200, one write each, journal seqNr = seq + 1 (a DirectStarted came first).
    for (long seq = 1; seq <= 200; seq++) {
      index.record(seq, seq + 1);
    }
    assertEquals(4, index.checkpoints().size(), "one checkpoint per " + JournalIndex.SPACING);
    JournalIndex.Range range = index.locate(100, 110, 201);
    assertTrue(range.fromJournalSeqNr() <= 101, "starts at or before message 100's write");
    assertTrue(range.toJournalSeqNr() >= 111, "ends at or after message 110's write");
    assertTrue(range.toJournalSeqNr() - range.fromJournalSeqNr() <= 2 * JournalIndex.SPACING);
    assertEquals(new JournalIndex.Range(1, 201), new JournalIndex().locate(1, 5, 201));
  }

  @Test
  void dedupWindowForgetsByAgeAndBeyondItsCap() {
    DedupWindow window = new DedupWindow();
    long day = 24L * 3600 * 1000;
    window.add(DedupWindow.key("alice", "a"), new DedupWindow.Entry(1, 0), day, 3);
    window.add(DedupWindow.key("alice", "b"), new DedupWindow.Entry(2, day / 2), day, 3);
    assertEquals(Optional.of(new DedupWindow.Entry(1, 0)), window.find(DedupWindow.key("alice", "a")));
    window.add(DedupWindow.key("alice", "c"), new DedupWindow.Entry(3, day + 1), day, 3);
    assertTrue(window.find(DedupWindow.key("alice", "a")).isEmpty(), "older than the window");
    window.add(DedupWindow.key("alice", "d"), new DedupWindow.Entry(4, day + 2), day, 3);
    window.add(DedupWindow.key("alice", "e"), new DedupWindow.Entry(5, day + 3), day, 3);
    assertEquals(3, window.size());
    assertTrue(window.find(DedupWindow.key("alice", "b")).isEmpty(), "beyond the cap, oldest first");
    assertNotEquals(DedupWindow.key("alice", "x"), DedupWindow.key("bob", "x"));
  }

  @Test
  void dedupWindowForgetsWhatMovedToTheSpillAndSaysWhenToLookThere() throws Exception {
    long day = 24L * 3600 * 1000;
    DedupWindow window = new DedupWindow();
    for (long seq = 1; seq <= 5; seq++) {
      window.add(DedupWindow.key("alice", "m" + seq), new DedupWindow.Entry(seq, 1000 * seq), day, 100);
    }
    assertEquals(List.of(1L, 2L), window.oldest(2).values().stream().map(DedupWindow.Entry::seq).toList());
    assertFalse(window.mayHaveSpilled(5000, day), "nothing moved yet: a missing key is new");

    window.dropSpilled(3, 3000);
    assertEquals(2, window.size());
    assertTrue(window.find(DedupWindow.key("alice", "m3")).isEmpty());
    assertTrue(window.find(DedupWindow.key("alice", "m4")).isPresent());
    assertTrue(window.mayHaveSpilled(5000, day), "a missing key may be among those moved");
    assertFalse(window.mayHaveSpilled(3000 + day + 1, day), "what moved is older than the window");

    // Snapshots written before keys could move read with nothing moved.
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    DedupWindow old = json.readValue("{\"entries\":{\"7\":{\"seq\":1,\"serverTs\":5}}}", DedupWindow.class);
    assertEquals(Optional.of(new DedupWindow.Entry(1, 5)), old.find(7));
    assertFalse(old.mayHaveSpilled(5, day));
    DedupWindow copied = json.readValue(json.writeValueAsString(window), DedupWindow.class);
    assertTrue(copied.mayHaveSpilled(5000, day), "the spill mark survives a snapshot");
  }

  @Test
  void senderRunsStayBoundedWhenNobodyReads() {
    SenderRuns runs = new SenderRuns();
    int messages = 3 * SenderRuns.MAX_RUNS;
    for (long seq = 1; seq <= messages; seq++) {
      runs.append(seq, seq % 2 == 0 ? "alice" : "bob");
    }
    assertEquals(SenderRuns.MAX_RUNS, runs.runStarts().size());
    assertEquals(Set.of("alice", "bob"), runs.sendersBetween(messages - 2, messages));
    assertEquals(Set.of(), runs.sendersBetween(0, 3), "the oldest runs are forgotten");
  }

  @Test
  void senderRunsNameTheSendersOfARangeAndForgetTrimmedRuns() {
    SenderRuns runs = new SenderRuns();
    runs.append(1, "alice");
    runs.append(2, "alice");
    runs.append(3, "bob");
    runs.append(4, "carol");
    runs.append(5, "alice");
    assertEquals(Set.of("alice"), runs.sendersBetween(0, 2));
    assertEquals(Set.of("alice", "bob"), runs.sendersBetween(1, 3));
    assertEquals(Set.of("carol", "alice"), runs.sendersBetween(3, 5));
    runs.trimThrough(3);
    assertEquals(Set.of("carol"), runs.sendersBetween(3, 4));
    assertEquals(2, runs.runStarts().size());
  }

  @Test
  void directConversationIdsDecodeRelativeToAMember() {
    assertEquals("d:alice:bob", ConversationIds.direct("bob", "alice"));
    assertEquals(Optional.of(List.of("alice", "bob")), ConversationIds.directMembers("d:alice:bob", "bob"));
    assertEquals(Optional.empty(), ConversationIds.directMembers("d:alice:bob", "carol"));
    // User ids may contain ':'; the id is read relative to the member who uses it.
    assertEquals(Optional.of(List.of("a:b", "c")), ConversationIds.directMembers("d:a:b:c", "c"));
    assertEquals(Optional.of(List.of("a", "b:c")), ConversationIds.directMembers("d:a:b:c", "a"));
    assertEquals(Optional.empty(), ConversationIds.directMembers("d:bob:alice", "alice"), "not sorted");
    assertTrue(ConversationIds.isValidId("g.8f3a"));
    assertTrue(!ConversationIds.isValidId("has space") && !ConversationIds.isValidId("x".repeat(65)));
  }

  @Test
  void messageIdsAreUlidsDerivedFromConversationAndSeq() {
    String id = MessageIds.of("d:alice:bob", 17, 1_700_000_000_123L);
    assertEquals(26, id.length());
    assertTrue(id.matches("[0-9A-HJKMNP-TV-Z]{26}"));
    assertEquals(id, MessageIds.of("d:alice:bob", 17, 1_700_000_000_123L));
    assertNotEquals(id, MessageIds.of("d:alice:bob", 18, 1_700_000_000_123L));
    assertNotEquals(id, MessageIds.of("d:alice:carol", 17, 1_700_000_000_123L));
    assertTrue(MessageIds.of("c", 1, 1000).compareTo(MessageIds.of("c", 2, 2000)) < 0, "time-ordered");
  }
}
