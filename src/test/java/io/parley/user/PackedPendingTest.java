package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.parley.conversation.ReceiptStatus;
import io.parley.testing.EntityHarness;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pending queue as snapshots store it: packed, and still read in the form stored before. */
class PackedPendingTest {
  static final long T0 = 1_700_000_000_000L;

  EntityHarness harness;

  @BeforeEach
  void start() {
    harness = new EntityHarness("");
  }

  @AfterEach
  void stop() {
    harness.shutdown();
  }

  private String json(UserState state) {
    return harness.storedJson(state);
  }

  private UserState read(String json) {
    return (UserState) harness.readStored(UserState.class.getName(), json);
  }

  private static Map<Long, PendingQueue.Item> items(UserState state) {
    TreeMap<Long, PendingQueue.Item> items = new TreeMap<>();
    state.pending.entries().forEach(e -> items.put(e.getKey(), e.getValue()));
    return items;
  }

  @Test
  void everyKindOfItemReadsBackAsStored() {
    UserState state = new UserState();
    // Interleaved conversations, a gap in cursors (acked items gone), time going back (a
    // receipt stamped now before an older message), every kind, a sender missing.
    state.pending.add(7, new PendingQueue.Item("g.one", 40, "alice", T0));
    state.pending.add(8, new PendingQueue.Item("d:alice:bob", 3, "alice", T0 + 5));
    state.pending.add(9, new PendingQueue.Item("g.one", 41, "carol", T0 + 2));
    state.pending.add(12, new PendingQueue.Item("g.one", 17, "carol", T0 + 9_000, ReceiptStatus.DELIVERED));
    state.pending.add(13, new PendingQueue.Item("g.one", 17, "dave", T0 + 9_001, ReceiptStatus.READ));
    state.pending.add(14, new PendingQueue.Item("d:alice:bob", 2, "alice", T0 + 9_002, null, true));
    state.pending.add(15, new PendingQueue.Item("g.one", 42, null, T0 + 1, null, false));
    state.nextCursor = 16;

    String json = json(state.copy());
    UserState read = read(json);

    assertEquals(items(state), items(read));
    assertEquals(16, read.nextCursor);
    assertEquals(1, json.split("\"g.one\"", -1).length - 1, "each id is stored once: " + json);
    assertEquals(1, json.split("\"alice\"", -1).length - 1, json);
  }

  @Test
  void anEmptyQueueReadsBackEmpty() {
    assertEquals(0, read(json(new UserState())).pending.size());
  }

  @Test
  void theFormStoredBeforeStillReads() {
    UserState read = read("""
        {"nextCursor":5,"pending":{"items":{
          "1":{"conversationId":"d:alice:bob","seq":1,"senderId":"alice","serverTs":1700000000000},
          "3":{"conversationId":"g.one","seq":9,"senderId":"carol","serverTs":1700000001000,"receipt":"READ"},
          "4":{"conversationId":"d:alice:bob","seq":1,"senderId":"alice","serverTs":1700000002000,"deleted":true}}},
         "devices":{},"storedThrough":{},"inbox":{"entries":{}},"lastSeen":0,"pushTokens":[]}""");

    assertEquals(Map.of(
        1L, new PendingQueue.Item("d:alice:bob", 1, "alice", T0),
        3L, new PendingQueue.Item("g.one", 9, "carol", T0 + 1000, ReceiptStatus.READ),
        4L, new PendingQueue.Item("d:alice:bob", 1, "alice", T0 + 2000, null, true)), items(read));
    // Stored again, it is packed.
    assertFalse(json(read).contains("\"items\""));
    assertEquals(items(read), items(read(json(read))));
  }

  @Test
  void packingKeepsTheOrderOfCursors() {
    PendingQueue queue = new PendingQueue();
    List.of(3L, 1L, 2L).forEach(cursor -> queue.add(cursor, new PendingQueue.Item("c", cursor, "s", T0)));
    PendingQueue unpacked = PendingQueue.unpack(queue.pack());
    assertEquals(List.of(1L, 2L, 3L), unpacked.entries().stream().map(Map.Entry::getKey).toList());
  }
}
