package io.parley.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ContentKeyTest {
  private final ContentKey alice = ContentKey.generate("alice");
  private final ContentKey bob = ContentKey.generate("bob");
  private final String place = ContentKey.messagePlace("c.1", "m.1");

  @Test
  void aThreadSealsAndOpensUnderOneKeyAfterAnotherAndAfterAFailedOpen() {
    String forAlice = alice.seal("for alice", place);
    String forBob = bob.seal("for bob", place);
    assertEquals(Optional.empty(), bob.open(forAlice, place), "another user's key");
    assertEquals(Optional.empty(), alice.open(forAlice.substring(0, forAlice.length() - 2) + "AA", place), "altered");
    assertEquals(Optional.of("for bob"), bob.open(forBob, place));
    assertEquals(Optional.of("for alice"), alice.open(forAlice, place));
    String again = alice.seal("for alice", place);
    assertNotEquals(forAlice, again, "a fresh IV for every seal");
    assertEquals(Optional.of("for alice"), alice.open(again, place));
  }

  @Test
  void sealingOnManyThreadsAtOnceOpensEveryTextItsOwn() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      var sealed = IntStream.range(0, 2_000)
          .mapToObj(i -> CompletableFuture.supplyAsync(() -> (i % 2 == 0 ? alice : bob).seal("text " + i, place), threads))
          .toList();
      for (int i = 0; i < sealed.size(); i++) {
        int n = i;
        String text = sealed.get(i).get();
        assertEquals(Optional.of("text " + n), CompletableFuture.supplyAsync(
            () -> (n % 2 == 0 ? alice : bob).open(text, place), threads).get());
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void anEmptyAndALongTextRoundTrip() {
    String longText = "x".repeat(70_000);
    assertEquals(Optional.of(""), alice.open(alice.seal("", place), place));
    assertEquals(Optional.of(longText), alice.open(alice.seal(longText, place), place));
  }
}
