package io.parley.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Jobs run at most so many at a time, the others wait their turn in order; a failure stops nothing. */
class TurnsTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void atMostSoManyRunAtOnceAndTheOthersStartAsTheyFinishInOrder() throws Exception {
    Turns turns = new Turns(2, 10, testKit.system());
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    List<CompletableFuture<String>> finish = new ArrayList<>();
    List<CompletableFuture<Void>> started = new ArrayList<>();
    List<CompletionStage<String>> results = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      CompletableFuture<String> done = new CompletableFuture<>();
      CompletableFuture<Void> began = new CompletableFuture<>();
      finish.add(done);
      started.add(began);
      results.add(turns.run(() -> {
        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
        began.complete(null);
        return done.whenComplete((value, failure) -> running.decrementAndGet());
      }));
    }
    started.get(0).get(10, TimeUnit.SECONDS);
    started.get(1).get(10, TimeUnit.SECONDS);
    assertFalse(started.get(2).isDone(), "the third waits while two run");

    finish.get(1).complete("b");
    started.get(2).get(10, TimeUnit.SECONDS);
    assertFalse(started.get(3).isDone(), "one finished, so one more started, and no more");
    assertEquals("b", results.get(1).toCompletableFuture().get(10, TimeUnit.SECONDS));

    for (int i : new int[] {0, 2, 3, 4}) {
      started.get(i).get(10, TimeUnit.SECONDS);
      finish.get(i).complete("job " + i);
    }
    for (int i : new int[] {0, 2, 3, 4}) {
      assertEquals("job " + i, results.get(i).toCompletableFuture().get(10, TimeUnit.SECONDS));
    }
    assertEquals(2, mostAtOnce.get());
  }

  @Test
  void aJobThatFailsOrThrowsGivesItsTurnBackAndFailsAlone() throws Exception {
    Turns turns = new Turns(1, 10, testKit.system());
    CompletionStage<String> failed = turns.run(() -> CompletableFuture.failedFuture(new IllegalStateException("no")));
    CompletionStage<String> threw = turns.run(() -> {
      throw new IllegalArgumentException("thrown");
    });
    CompletionStage<String> next = turns.run(() -> CompletableFuture.completedFuture("next"));

    ExecutionException first = assertThrows(ExecutionException.class,
        () -> failed.toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertInstanceOf(IllegalStateException.class, first.getCause());
    ExecutionException second = assertThrows(ExecutionException.class,
        () -> threw.toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertInstanceOf(IllegalArgumentException.class, second.getCause());
    assertEquals("next", next.toCompletableFuture().get(10, TimeUnit.SECONDS), "the queue goes on");
  }

  @Test
  void beyondTheWaitingLimitAJobIsRefusedAtOnce() throws Exception {
    Turns turns = new Turns(1, 2, testKit.system());
    CompletableFuture<String> blocker = new CompletableFuture<>();
    CompletableFuture<Void> began = new CompletableFuture<>();
    CompletionStage<String> running = turns.run(() -> {
      began.complete(null);
      return blocker;
    });
    began.get(10, TimeUnit.SECONDS);
    List<CompletionStage<String>> waiting = List.of(
        turns.run(() -> CompletableFuture.completedFuture("w1")),
        turns.run(() -> CompletableFuture.completedFuture("w2")));
    CompletionStage<String> refused = turns.run(() -> CompletableFuture.completedFuture("never"));

    ExecutionException failure = assertThrows(ExecutionException.class,
        () -> refused.toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertInstanceOf(Turns.NoTurn.class, failure.getCause());
    assertTrue(waiting.stream().noneMatch(job -> job.toCompletableFuture().isDone()));
    blocker.complete("first");
    assertEquals("first", running.toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals("w1", waiting.get(0).toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals("w2", waiting.get(1).toCompletableFuture().get(10, TimeUnit.SECONDS));
  }
}
