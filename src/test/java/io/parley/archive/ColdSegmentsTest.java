package io.parley.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ColdSegments;
import io.parley.conversation.Segment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The cold tier's pure parts: the segment list, the format and the cache (the run planner: ArchivePlanTest). */
class ColdSegmentsTest {
  static ChatMessage message(long seq, long ts) {
    return new ChatMessage("g.x", seq, "m" + seq, "alice", "c" + seq, "hé \"quoted\"\nline " + seq, "text", ts);
  }

  @Test
  void segmentsTileTheArchivedPrefixAndAReaderFindsTheOnesItNeeds() throws Exception {
    ColdSegments cold = new ColdSegments();
    cold.add(new Segment(1, 4));
    cold.add(new Segment(5, 9));
    cold.add(new Segment(10, 10));
    cold.add(new Segment(5, 9)); // a replayed event changes nothing
    assertEquals(10, cold.archivedThrough());
    assertEquals(List.of(new Segment(1, 4), new Segment(5, 9)), cold.overlapping(3, 5));
    assertEquals(List.of(new Segment(5, 9)), cold.overlapping(5, 9));
    assertEquals(List.of(new Segment(10, 10)), cold.overlapping(10, 12));
    assertEquals(List.of(), cold.overlapping(11, 20));
    assertThrows(IllegalStateException.class, () -> cold.add(new Segment(12, 13)), "a gap is refused");

    ObjectMapper json = new ObjectMapper();
    String stored = json.writeValueAsString(cold);
    assertEquals("{\"ends\":[4,9,10]}", stored, "one number per segment in the snapshot");
    assertEquals(cold.overlapping(1, 10), json.readValue(stored, ColdSegments.class).overlapping(1, 10));
  }

  @Test
  void theFormatRoundTripsEveryField() {
    List<ChatMessage> messages = List.of(message(7, 1), message(8, 2));
    assertEquals(messages, SegmentFormat.decode("g.x", SegmentFormat.encode(messages)));
  }

  @Test
  void theCacheStaysWithinItsBytesLeastRecentlyUsedOutFirst() {
    List<ChatMessage> big = List.of(new ChatMessage("g.x", 1, "m1", "alice", "c1", "x".repeat(4000), "text", 1));
    long one = SegmentCache.approximateBytes(big);
    SegmentCache cache = new SegmentCache(100, 2 * one);
    AtomicInteger loads = new AtomicInteger();
    for (String key : List.of("a", "b", "c")) {
      cache.get(key, () -> { loads.incrementAndGet(); return CompletableFuture.completedFuture(big); });
    }
    assertEquals(2, cache.size());
    assertEquals(2 * one, cache.bytes());
    cache.get("b", () -> { loads.incrementAndGet(); return CompletableFuture.completedFuture(big); });
    assertEquals(3, loads.get(), "b is still there");
    cache.get("a", () -> { loads.incrementAndGet(); return CompletableFuture.completedFuture(big); });
    assertEquals(4, loads.get(), "a went first");
    // A single segment larger than the whole budget is still served, and kept alone.
    SegmentCache tiny = new SegmentCache(100, one / 2);
    assertEquals(big, tiny.get("a", () -> CompletableFuture.completedFuture(big)).toCompletableFuture().join());
    assertEquals(1, tiny.size());
  }

  @Test
  void theCacheIsBoundedSharesLoadsAndForgetsFailures() {
    SegmentCache cache = new SegmentCache(2, Long.MAX_VALUE);
    AtomicInteger loads = new AtomicInteger();
    CompletableFuture<List<ChatMessage>> slow = new CompletableFuture<>();
    var first = cache.get("a", () -> { loads.incrementAndGet(); return slow; });
    var second = cache.get("a", () -> { loads.incrementAndGet(); return slow; });
    slow.complete(List.of(message(1, 1)));
    assertEquals(first.toCompletableFuture().join(), second.toCompletableFuture().join());
    assertEquals(1, loads.get(), "two readers, one load");

    cache.get("b", () -> CompletableFuture.completedFuture(List.of()));
    cache.get("c", () -> CompletableFuture.completedFuture(List.of()));
    assertEquals(2, cache.size(), "bounded");
    cache.get("a", () -> { loads.incrementAndGet(); return CompletableFuture.completedFuture(List.of()); });
    assertEquals(2, loads.get(), "the least recently used was evicted");

    var failed = cache.get("d", () -> CompletableFuture.failedFuture(new RuntimeException("S3 down")));
    assertThrows(CompletionException.class, () -> failed.toCompletableFuture().join());
    var retried = cache.get("d", () -> CompletableFuture.completedFuture(List.of(message(2, 2))));
    assertEquals(1, retried.toCompletableFuture().join().size(), "a failure is not cached");
  }
}
