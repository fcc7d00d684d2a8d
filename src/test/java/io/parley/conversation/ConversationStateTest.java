package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ConversationActor's compact state parts and id rules. */
class ConversationStateTest {

  /**
   * The last member of a group may go (leave, or an erased account), and so may a large group's
   * owner with no admin: the group has no owner then. The hand-over removed a null owner from the
   * admins, which threw, so the entity stopped before storing the event: such a member could never
   * leave, and their erasure never finished.
   */
  @Test
  void aGroupsLastMemberOrALargeGroupsOwnerWithNoAdminMayGo() {
    ConversationState.Active group =
        ActiveMembership.groupCreated(new ConversationState.Active("Solo", List.of("alice")), "alice", true);
    ActiveMembership.memberLeft(group, "alice");
    assertTrue(group.members.isEmpty());
    assertEquals(null, group.owner);

    ConversationState.Active large =
        ActiveMembership.groupCreated(new ConversationState.Active("Big", List.of("alice", "bob")), "alice", true);
    ActiveMembership.becameLarge(large, List.of(new GroupMembers.Row("alice", 0, 0), new GroupMembers.Row("bob", 0, 0)));
    ActiveMembership.largeMembersChanged(large, List.of(), List.of("alice"));
    assertEquals(null, large.owner);
    assertTrue(large.admins.isEmpty());
  }

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
  void dedupWindowForgetsWhatMovedToTheSpillAndSaysWhereToLookForIt() throws Exception {
    long day = 24L * 3600 * 1000;
    DedupWindow window = new DedupWindow();
    for (long seq = 1; seq <= 5; seq++) {
      window.add(key("m" + seq), new DedupWindow.Entry(seq, 1000 * seq), day, 100);
    }
    assertEquals(List.of(1L, 2L), window.oldest(2).values().stream().map(DedupWindow.Entry::seq).toList());
    assertTrue(window.whereSpilled(key("m1"), 5000, day).nowhere(), "nothing moved yet: a missing key is new");
    assertEquals(1, window.spillGeneration(1), "the first keys to move start a generation");

    window.dropSpilled(3, 3000, 1, day);
    assertEquals(2, window.size());
    assertTrue(window.find(key("m3")).isEmpty());
    assertTrue(window.find(key("m4")).isPresent());
    for (String moved : List.of("m1", "m2", "m3")) {
      assertEquals(new SpilledKeys.Whereabouts(false, List.of(1L)), window.whereSpilled(key(moved), 5000, day), moved);
    }
    assertTrue(window.whereSpilled(key("new"), 5000, day).nowhere(), "a key that never moved is not looked up");
    assertTrue(window.whereSpilled(key("m1"), 3000 + day + 1, day).nowhere(), "what moved is older than the window");
    assertEquals(1, window.spillGeneration(4), "later keys join the generation until it is full");

    // The real serializer sees fields (Pekko's jackson-json: FIELD = ANY).
    var json = new ObjectMapper().setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
    DedupWindow copied = json.readValue(json.writeValueAsString(window), DedupWindow.class);
    assertEquals(List.of(1L), copied.whereSpilled(key("m2"), 5000, day).generations(), "survives a snapshot");
    assertTrue(copied.whereSpilled(key("new"), 5000, day).nowhere());
    assertFalse(window.copy().whereSpilled(key("m3"), 5000, day).nowhere());

    // Snapshots written before keys could move read with nothing moved.
    DedupWindow old = json.readValue("{\"entries\":{\"7\":{\"seq\":1,\"serverTs\":5}}}", DedupWindow.class);
    assertEquals(Optional.of(new DedupWindow.Entry(1, 5)), old.find(7));
    assertTrue(old.whereSpilled(8, 5, day).nowhere());
    // Those written before generations moved keys to an item each: any key may be one, until the window has passed.
    DedupWindow ownItems = json.readValue("{\"entries\":{},\"spilledUntilTs\":3000}", DedupWindow.class);
    assertEquals(new SpilledKeys.Whereabouts(true, List.of()), ownItems.whereSpilled(key("new"), 5000, day));
    assertTrue(ownItems.whereSpilled(key("new"), 3000 + day + 1, day).nowhere());
    ownItems.add(key("m9"), new DedupWindow.Entry(9, 4000), day, 100);
    ownItems.dropSpilled(9, 4000, 9, day);
    assertEquals(new SpilledKeys.Whereabouts(true, List.of(9L)), ownItems.whereSpilled(key("m9"), 5000, day));
    assertEquals(new SpilledKeys.Whereabouts(false, List.of(9L)), ownItems.whereSpilled(key("m9"), 3000 + day + 1, day));
  }

  @Test
  void spilledKeysStayBoundedAndForgetWhatLeftTheWindow() {
    long day = 24L * 3600 * 1000;
    SpilledKeys spilled = new SpilledKeys();
    int perFilter = SpilledKeys.KEYS_PER_FILTER;
    // One generation's worth of keys at time 1000, then the rest up to the cap at time 2000.
    for (int g = 0; g < SpilledKeys.MAX_FILTERS; g++) {
      long first = (long) g * perFilter;
      assertEquals(first + 1, spilled.generationFor(first + 1), "a full generation starts another");
      spilled.add(first + 1, keys(first, first + perFilter, g == 0 ? 1000 : 2000), day);
    }
    assertEquals(SpilledKeys.MAX_FILTERS, spilled.filters().size());
    assertEquals(List.of(1L), spilled.whereMayBe(0, 3000, day).generations());
    assertTrue(spilled.whereMayBe(-1, 3000, day).nowhere(), "a key never moved");

    // Past the cap the oldest generation loses its filter: every key is looked up there too, until it leaves the window.
    long next = (long) SpilledKeys.MAX_FILTERS * perFilter;
    spilled.add(spilled.generationFor(next + 1), keys(next, next + 1, 2000), day);
    assertEquals(SpilledKeys.MAX_FILTERS, spilled.filters().size());
    assertEquals(List.of(1L), spilled.whereMayBe(-1, 3000, day).generations());
    assertEquals(List.of(1L, next + 1), spilled.whereMayBe(next, 3000, day).generations());
    assertTrue(spilled.whereMayBe(-1, 1001 + day, day).nowhere());
    assertEquals(List.of(next + 1), spilled.whereMayBe(next, 1001 + day, day).generations());

    // A key moved a window later: the generations older than the window go.
    spilled.add(spilled.generationFor(next + 2), keys(-10, -9, 3000 + day), day);
    assertEquals(1, spilled.filters().size(), "the newest generation, which takes the new key");
    assertEquals(List.of(next + 1), spilled.whereMayBe(-10, 3000 + day, day).generations());
    assertTrue(spilled.unfiltered().isEmpty());
    assertTrue(spilled.whereMayBe(perFilter, 3000 + day, day).nowhere());
  }

  private static Map<Long, DedupWindow.Entry> keys(long from, long to, long serverTs) {
    Map<Long, DedupWindow.Entry> keys = new LinkedHashMap<>();
    for (long k = from; k < to; k++) {
      keys.put(k, new DedupWindow.Entry(k, serverTs));
    }
    return keys;
  }

  private static long key(String clientMsgId) {
    return DedupWindow.key("alice", clientMsgId);
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
