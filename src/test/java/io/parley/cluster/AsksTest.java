package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AsksTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  record Echo(String text, ActorRef<String> replyTo) {}

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Pekko's own ask hands every continuation to the common pool; this one keeps the answering thread. */
  @Test
  void theAnswersContinuationRunsOnTheActorThreadThatAnswered() throws Exception {
    ActorRef<Echo> echo = testKit.spawn(Behaviors.receiveMessage(echoed -> {
      echoed.replyTo().tell(echoed.text() + "@" + Thread.currentThread().getName());
      return Behaviors.same();
    }));
    CompletableFuture<String[]> seen = Asks.<Echo, String>ask(echo, replyTo -> new Echo("hi", replyTo),
            Duration.ofSeconds(5), testKit.scheduler())
        .thenApply(answer -> new String[] {answer, Thread.currentThread().getName()});
    String[] answerAndThread = seen.get(5, TimeUnit.SECONDS);
    assertTrue(answerAndThread[0].startsWith("hi@"));
    assertEquals(answerAndThread[0].substring(3), answerAndThread[1], "ran on the answering thread");
    assertFalse(answerAndThread[1].contains("commonPool"));
  }

  @Test
  void aTimeoutFailsTheFutureAsPekkosAskDoes() {
    ActorRef<Echo> silent = testKit.spawn(Behaviors.ignore());
    CompletableFuture<String> answer = Asks.<Echo, String>ask(silent, replyTo -> new Echo("hi", replyTo),
        Duration.ofMillis(50), testKit.scheduler());
    ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> answer.get(5, TimeUnit.SECONDS));
    assertInstanceOf(java.util.concurrent.TimeoutException.class, failed.getCause());
  }
}
