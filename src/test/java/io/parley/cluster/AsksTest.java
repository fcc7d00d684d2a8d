package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
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

  /** Held until {@code Answer}: the continuation is attached before the answer comes. */
  sealed interface Held permits Question, Answer {}

  record Question(ActorRef<String> replyTo) implements Held {}

  enum Answer implements Held {
    NOW
  }

  private static Behavior<Held> answeringWhenTold(ActorRef<String> asker) {
    return Behaviors.receiveMessage(held -> {
      if (held instanceof Question question) {
        return answeringWhenTold(question.replyTo());
      }
      asker.tell(Thread.currentThread().getName());
      return Behaviors.same();
    });
  }

  /** Pekko's own ask hands every continuation to the common pool; this one keeps the answering thread. */
  @Test
  void theAnswersContinuationRunsOnTheActorThreadThatAnswered() throws Exception {
    ActorRef<Held> holder = testKit.spawn(answeringWhenTold(null));
    CompletableFuture<String[]> seen = Asks.<Held, String>ask(holder, Question::new, Duration.ofSeconds(5),
            testKit.scheduler())
        .thenApply(answeredOn -> new String[] {answeredOn, Thread.currentThread().getName()});
    holder.tell(Answer.NOW);
    String[] threads = seen.get(5, TimeUnit.SECONDS);
    assertEquals(threads[0], threads[1], "ran on the answering thread");
    assertTrue(threads[1].contains("dispatcher"), threads[1]);
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
