package io.parley.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.EntityHarness.ManualClock;
import io.parley.testing.MemoryKeyTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two nodes' {@link ContentKeys} over one table, on a clock the test moves, without the cluster
 * notices between them: what a node that missed every notice does, and for how long.
 */
class ContentKeysTest {
  static final Duration CACHE_FOR = Duration.ofSeconds(30);
  static final String PLACE = ContentKey.messagePlace("d:alice:bob", "c-1");

  final ManualClock clock = new ManualClock();
  final MemoryKeyTable table = new MemoryKeyTable();
  final ContentKeys erasing = node(CACHE_FOR);
  final ContentKeys missedTheNotices = node(CACHE_FOR);

  private ContentKeys node(Duration cacheFor) {
    return new ContentKeys(table, 100, cacheFor, () -> clock.millis() * 1_000_000L, clock);
  }

  /** A new account's first sends (ten at once from a busy client) all find no key. */
  @Test
  void sendsThatFindNoKeyShareOneCreationRatherThanEachRacingItsOwn() {
    CompletableFuture<Void> release = new CompletableFuture<>();
    AtomicInteger stores = new AtomicInteger();
    ContentKeys node = new ContentKeys(table.storingAfter(release, stores::incrementAndGet), 100, CACHE_FOR,
        () -> clock.millis() * 1_000_000L, clock);
    List<CompletableFuture<ContentKey>> sends = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sends.add(node.forSending("alice").toCompletableFuture());
    }
    assertEquals(1, stores.get(), "one key offered to the table");
    release.complete(null);
    ContentKey key = join(table.read("alice")).key().orElseThrow();
    sends.forEach(send -> assertEquals(key, join(send)));
    assertEquals(key, join(node.forSending("alice")));
    assertEquals(1, stores.get(), "and the next send finds it");

    CompletableFuture<Void> failing = new CompletableFuture<>();
    stores.set(0);
    ContentKeys cut = new ContentKeys(new MemoryKeyTable().storingAfter(failing, stores::incrementAndGet), 100,
        CACHE_FOR, () -> clock.millis() * 1_000_000L, clock);
    CompletableFuture<ContentKey> first = cut.forSending("bob").toCompletableFuture();
    failing.completeExceptionally(new IllegalStateException("the table is unreachable"));
    assertThrows(CompletionException.class, first::join);
    assertThrows(CompletionException.class, () -> join(cut.forSending("bob")));
    assertEquals(2, stores.get(), "a failed creation is tried again by the next send");
  }

  @Test
  void aNodeThatMissedTheErasureStopsOpeningTheContentOnceItsEntryExpires() {
    ContentKey key = join(erasing.forSending("alice"));
    String sealed = key.seal("a secret", PLACE);
    assertTrue(join(missedTheNotices.forReading("alice", key.keyId())).isPresent());

    join(erasing.markErasing("alice"));
    clock.advance(CACHE_FOR);
    join(erasing.erase("alice"));
    assertEquals(Optional.empty(), join(erasing.forReading("alice", key.keyId())));

    clock.advance(Duration.ofSeconds(1));
    assertEquals(Optional.empty(), join(missedTheNotices.forReading("alice", key.keyId())),
        "read again once its entry expired: the key is gone");
  }

  @Test
  void aNodeThatMissedTheMarkRefusesSendsOnceItsEntryExpires() {
    ContentKey key = join(missedTheNotices.forSending("alice"));
    join(erasing.markErasing("alice"));
    assertRefused(erasing.forSending("alice"));
    assertEquals(key, join(missedTheNotices.forSending("alice")), "within its cache time, as documented");

    clock.advance(CACHE_FOR);
    assertRefused(missedTheNotices.forSending("alice"));
    assertTrue(join(missedTheNotices.forReading("alice", key.keyId())).isPresent(),
        "her messages still open until the key is deleted");
  }

  @Test
  void aSendDuringTheErasureMakesNoNewKey() {
    join(erasing.markErasing("carol")); // she never sent anything: no key yet
    assertRefused(missedTheNotices.forSending("carol"));
    assertRefused(erasing.forSending("carol"));
    assertEquals(Optional.empty(), join(table.read("carol")).key());

    ContentKey bobs = join(missedTheNotices.forSending("bob"));
    join(erasing.markErasing("bob"));
    clock.advance(CACHE_FOR);
    join(erasing.erase("bob"));
    assertRefused(missedTheNotices.forSending("bob"));
    assertEquals(Optional.empty(), join(table.read("bob")).key(), "no key made while the erasure ran");
    assertFalse(join(missedTheNotices.forReading("bob", bobs.keyId())).isPresent());
  }

  @Test
  void theKeyIsDeletedOnlyOnceEveryEntryReadBeforeTheMarkHasExpired() {
    Duration shortly = Duration.ofMillis(500);
    ContentKeys node = node(shortly);
    ContentKey key = join(node.forSending("alice"));
    join(node.markErasing("alice"));

    CompletableFuture<Void> erased = node.erase("alice").toCompletableFuture();
    assertFalse(erased.isDone(), "waits for the entries read before the mark");
    assertEquals(Optional.of(key), join(table.read("alice")).key());
    erased.join();
    assertEquals(Optional.empty(), join(table.read("alice")).key());
  }

  @Test
  void anErasureMarkedAgainAfterARestartWaitsOutTheCacheTimeOnceFromItsFirstMark() {
    join(erasing.forSending("alice"));
    long requested = clock.millis();
    join(erasing.markErasing("alice", requested));
    clock.advance(CACHE_FOR);
    join(erasing.markErasing("alice", requested)); // its entity started again: it marks again
    assertEquals(requested, join(table.read("alice")).erasingSince(), "the first mark stands");
    assertTrue(erasing.erase("alice").toCompletableFuture().isDone(),
        "every entry read before the first mark has expired: nothing to wait for");
    assertEquals(Optional.empty(), join(table.read("alice")).key());

    // A later erasure of the id is marked afresh: until then nodes took her old mark as settled.
    clock.advance(CACHE_FOR);
    long later = clock.millis();
    join(erasing.markErasing("alice", later));
    assertEquals(later, join(table.read("alice")).erasingSince());
    assertRefused(missedTheNotices.forSending("alice"));
  }

  @Test
  void theSameIdGetsANewKeyOnlyOnceNoNodeCanStillHoldTheOldOne() {
    ContentKey old = join(missedTheNotices.forSending("alice"));
    join(erasing.markErasing("alice"));
    clock.advance(CACHE_FOR);
    join(erasing.erase("alice"));
    // The erasure is done; a node that read her row during it still refuses, for its cache time.
    assertRefused(missedTheNotices.forSending("alice"));

    clock.advance(Duration.ofSeconds(1));
    ContentKey next = join(missedTheNotices.forSending("alice"));
    assertNotEquals(old.keyId(), next.keyId());
    assertEquals(next, join(erasing.forSending("alice")), "one key for the returning id on every node");
    assertFalse(join(table.read("alice")).erasing());
  }

  @Test
  void whatIsNotSealedIsRefusedAsSendsAreAndAsksForNoKey() {
    join(erasing.requireNotErasing("dora"));
    assertEquals(KeyTable.Row.NONE, join(table.read("dora")), "no key made for asking");

    join(missedTheNotices.forSending("dora"));
    join(erasing.markErasing("dora"));
    CompletionException refused = assertThrows(CompletionException.class, () -> join(erasing.requireNotErasing("dora")));
    assertInstanceOf(ContentKeys.AccountErasing.class, refused.getCause());
    clock.advance(CACHE_FOR);
    assertThrows(CompletionException.class, () -> join(missedTheNotices.requireNotErasing("dora")));
  }

  private static void assertRefused(CompletionStage<ContentKey> sending) {
    CompletionException refused = assertThrows(CompletionException.class, () -> join(sending));
    assertInstanceOf(ContentKeys.AccountErasing.class, refused.getCause());
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }
}
