package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Outcome;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Downloads hold places of the node and of their user, given back however the bytes end. */
class MediaDownloadsTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final Duration WAIT = Duration.ofSeconds(10);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aUserHoldsAtMostTheirPlacesAndTheNodeAtMostItsOwn() {
    MediaDownloads downloads = new MediaDownloads(3, 2, Duration.ofMinutes(1), testKit.system());
    Outcome<Runnable> first = downloads.take("alice");
    assertTrue(downloads.take("alice").isOk());
    Outcome<Runnable> third = downloads.take("alice");
    assertEquals(Outcome.Reason.UNAVAILABLE, third.reason());
    assertEquals("you have 2 downloads in progress on this node; finish one first", third.message());

    assertTrue(downloads.take("bob").isOk(), "another user is not held up by alice's");
    Outcome<Runnable> full = downloads.take("carol");
    assertEquals(Outcome.Reason.UNAVAILABLE, full.reason());
    assertEquals("too many downloads in progress; retry later", full.message());
    assertEquals(3, downloads.inProgress(), "a refused one holds nothing");

    first.value().run();
    first.value().run(); // given back once only
    assertEquals(2, downloads.inProgress());
    assertTrue(downloads.take("carol").isOk());
    assertFalse(downloads.take("dave").isOk());
  }

  @Test
  void aPlaceComesBackWhenTheBytesEndFailOrAreCancelled() throws Exception {
    MediaDownloads downloads = new MediaDownloads(10, 10, Duration.ofMinutes(1), testKit.system());
    Runnable ended = downloads.take("alice").value();
    downloads.holding(Source.single(ByteString.fromString("all")), ended)
        .runWith(Sink.ignore(), testKit.system()).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    awaitInProgress(downloads, 0);

    Runnable failed = downloads.take("alice").value();
    downloads.holding(Source.failed(new IllegalStateException("the store failed")), failed)
        .runWith(Sink.ignore(), testKit.system());
    awaitInProgress(downloads, 0);

    Runnable cancelled = downloads.take("alice").value();
    downloads.holding(Source.repeat(ByteString.fromString("more")), cancelled)
        .take(3).runWith(Sink.ignore(), testKit.system()); // the client went away
    awaitInProgress(downloads, 0);
  }

  @Test
  void bytesNeverStreamedGiveTheirPlaceBackAfterAWhileAndStreamedOnesDoNot() throws Exception {
    MediaDownloads downloads = new MediaDownloads(10, 10, Duration.ofMillis(300), testKit.system());
    downloads.holding(Source.single(ByteString.fromString("never sent")), downloads.take("alice").value());
    CompletableFuture<java.util.Optional<ByteString>> open = new CompletableFuture<>();
    downloads.holding(Source.<ByteString>maybe().mapMaterializedValue(promise -> {
      open.complete(null);
      return org.apache.pekko.NotUsed.notUsed();
    }), downloads.take("bob").value()).runWith(Sink.ignore(), testKit.system());
    open.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    // Taken after bob's: its while ends after his has, so once it is given back his has ended too.
    Runnable carol = downloads.take("carol").value();
    CompletableFuture<Void> carolBack = new CompletableFuture<>();
    downloads.holding(Source.single(ByteString.fromString("never sent")), () -> {
      carol.run();
      carolBack.complete(null);
    });
    assertEquals(3, downloads.inProgress());
    carolBack.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    awaitInProgress(downloads, 1); // alice's, given back before carol's
    assertEquals(1, downloads.inProgress(), "the one being streamed keeps its place past the while");
  }

  private static void awaitInProgress(MediaDownloads downloads, int count) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (downloads.inProgress() != count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + count + " downloads in progress, not " + downloads.inProgress());
      }
      Thread.sleep(10); // polled: a place comes back from the stream's own thread
    }
  }
}
