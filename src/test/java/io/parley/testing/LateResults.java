package io.parley.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.WrappedMessage;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

/** A result piped to an actor that stopped before it came: a dead letter Pekko must be able to log. */
public final class LateResults {
  private LateResults() {}

  /**
   * The dead letter to {@code stopped} that {@code deadLetters} (a dead-letter probe) sees next
   * holds a message: Pekko's DeadLetterListener logs the class of what the letter wraps, and a
   * null there throws instead.
   */
  public static void assertLoggableDeadLetterTo(ActorRef<?> stopped, TestProbe<DeadLetter> deadLetters) {
    DeadLetter late = (DeadLetter) deadLetters.fishForMessage(Duration.ofSeconds(5),
        letter -> letter.recipient().path().equals(stopped.path())
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
    assertNotNull(WrappedMessage.unwrap(late.message()), "the result the stopped actor missed");
  }
}
