package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.conversation.ReceiptStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pending queue's bound on the bytes of its distinct ids. */
class PendingQueueTest {
  static final long T0 = 1_700_000_000_000L;

  /** What {@link PendingQueue#idBytes} should be, counted from scratch. */
  private static long recounted(PendingQueue queue) {
    Set<String> ids = new HashSet<>();
    queue.entries().forEach(e -> {
      ids.add(e.getValue().conversationId());
      if (e.getValue().senderId() != null) {
        ids.add(e.getValue().senderId());
      }
    });
    return ids.stream().mapToLong(id -> id.length() + 3L).sum();
  }

  private static List<Long> cursors(PendingQueue queue) {
    return queue.entries().stream().map(Map.Entry::getKey).toList();
  }

  @Test
  void eachDistinctIdCountsOnceWithItsQuotesAndComma() {
    PendingQueue queue = new PendingQueue();
    queue.add(1, new PendingQueue.Item("g.one", 1, "alice", T0));
    queue.add(2, new PendingQueue.Item("g.one", 2, "alice", T0));
    assertEquals(("g.one".length() + 3) + ("alice".length() + 3), queue.idBytes());
    queue.add(3, new PendingQueue.Item("d:alice:bob", 1, "bob", T0, ReceiptStatus.READ));
    queue.add(4, new PendingQueue.Item("g.one", 3, null, T0, null, true));
    assertEquals(recounted(queue), queue.idBytes());
  }

  @Test
  void droppingItemsReleasesTheIdsOnlyTheyNamed() {
    PendingQueue queue = new PendingQueue();
    queue.add(1, new PendingQueue.Item("g.one", 1, "alice", T0));
    queue.add(2, new PendingQueue.Item("g.two", 1, "carol", T0 + 10));
    queue.add(3, new PendingQueue.Item("g.one", 2, "carol", T0 + 20));
    queue.add(4, new PendingQueue.Item("g.three", 1, "dave", T0 + 30));
    queue.dropThrough(1);
    assertEquals(recounted(queue), queue.idBytes(), "alice went, g.one stays");
    queue.dropOlderThan(T0 + 25);
    assertEquals(List.of(4L), cursors(queue));
    assertEquals(recounted(queue), queue.idBytes());
    queue.add(4, new PendingQueue.Item("g.four", 1, "erin", T0 + 40)); // replaces the item at 4
    assertEquals(recounted(queue), queue.idBytes());
    queue.dropOldestBeyond(0, 0);
    assertEquals(0, queue.idBytes());
  }

  @Test
  void beyondTheIdBoundTheOldestItemsGo() {
    PendingQueue queue = new PendingQueue();
    for (long cursor = 1; cursor <= 5; cursor++) {
      queue.add(cursor, new PendingQueue.Item("c" + cursor, 1, "s" + cursor, T0)); // 10 bytes each
    }
    queue.dropOldestBeyond(10_000, 0);
    assertEquals(5, queue.size(), "0: no bound");
    queue.dropOldestBeyond(10_000, 30);
    assertEquals(List.of(3L, 4L, 5L), cursors(queue));
    assertEquals(30, queue.idBytes());
    queue.dropOldestBeyond(2, 30);
    assertEquals(List.of(4L, 5L), cursors(queue), "the count's bound still holds");
  }

  @Test
  void aQueueReadFromASnapshotCountsItsIds() {
    PendingQueue queue = new PendingQueue();
    queue.add(1, new PendingQueue.Item("g.one", 1, "alice", T0));
    queue.add(2, new PendingQueue.Item("g.two", 1, "alice", T0));
    assertEquals(queue.idBytes(), PendingQueue.unpack(queue.pack()).idBytes());
    assertEquals(queue.idBytes(), queue.copy().idBytes());
  }
}
