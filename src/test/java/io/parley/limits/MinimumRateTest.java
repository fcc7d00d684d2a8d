package io.parley.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A body must keep up a rate once its grace is spent; only time spent waiting for it counts. */
class MinimumRateTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final Materializer materializer = Materializer.matFromSystem(testKit.system());
  static final Duration GRACE = Duration.ofMillis(500);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aBodyTrickledBelowTheRateFailsOnceItsGraceAndItsBytesAreSpent() {
    // 10 bytes every 50 ms (200 bytes a second) against 1,000 a second: past 0.5 s + received/1,000.
    long started = System.nanoTime();
    Throwable failure = failureOf(Source.tick(Duration.ZERO, Duration.ofMillis(50), ByteString.fromArray(new byte[10]))
        .via(new MinimumRate(GRACE, 1000)));
    long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
    assertInstanceOf(MinimumRate.TooSlow.class, failure);
    assertTrue(tookMs >= GRACE.toMillis(), "failed after " + tookMs + " ms, within the grace");
  }

  @Test
  void aBodyThatSendsNothingFailsWhenItsGraceIsSpent() {
    long started = System.nanoTime();
    Throwable failure = failureOf(Source.<ByteString>never().via(new MinimumRate(GRACE, 1000)));
    long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
    assertInstanceOf(MinimumRate.TooSlow.class, failure);
    assertTrue(failure.getMessage().startsWith("the body arrived too slowly: 0 bytes in "), failure.getMessage());
    assertTrue(tookMs >= GRACE.toMillis(), "failed after " + tookMs + " ms, within the grace");
  }

  @Test
  void aBodyAboveTheRateIsPassedWholeHoweverLongItTakes() throws Exception {
    // 1,000 bytes every 50 ms (20,000 a second) for 1.5 s, three times the grace, against 1,000 a second.
    List<ByteString> chunks = IntStream.range(0, 30).mapToObj(i -> ByteString.fromArray(new byte[1000])).toList();
    ByteString whole = Source.from(chunks)
        .zip(Source.tick(Duration.ZERO, Duration.ofMillis(50), "tick"))
        .map(chunkAndTick -> chunkAndTick.first())
        .via(new MinimumRate(GRACE, 1000))
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), materializer)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(30_000, whole.size());
  }

  @Test
  void timeTheStreamDownstreamTakesIsNotTheClients() throws Exception {
    // The client sends everything at once; the consumer takes a chunk every 300 ms (object storage
    // busy), 1.5 s in all, three times the grace, at a required rate no body of 5 bytes meets.
    CompletionStage<List<ByteString>> taken = Source.from(
            IntStream.range(0, 5).mapToObj(i -> ByteString.fromArray(new byte[1])).collect(Collectors.toList()))
        .via(new MinimumRate(GRACE, 1_000_000))
        .mapAsync(1, chunk -> CompletableFuture.supplyAsync(() -> chunk,
            CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS)))
        .runWith(Sink.seq(), materializer);
    assertEquals(5, taken.toCompletableFuture().get(10, TimeUnit.SECONDS).size());
  }

  @Test
  void aRateMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new MinimumRate(GRACE, 0));
  }

  private static Throwable failureOf(Source<ByteString, ?> body) {
    ExecutionException failed = assertThrows(ExecutionException.class,
        () -> body.runWith(Sink.ignore(), materializer).toCompletableFuture().get(10, TimeUnit.SECONDS));
    return failed.getCause();
  }
}
