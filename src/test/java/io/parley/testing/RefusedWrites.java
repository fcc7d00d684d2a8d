package io.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/** What the commands of a write the journal refused are told: at once, and only "unavailable". */
public final class RefusedWrites {
  private RefusedWrites() {}

  /**
   * Receives {@code count} answers, each within 5 s (well under the gateway's timeouts): some
   * refused (those the refused write carried; the others rode the next write), all as unavailable.
   */
  public static <T> void awaitToldUnavailable(TestProbe<Outcome<T>> replies, int count) {
    List<Outcome<T>> answered = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      answered.add(replies.receiveMessage(Duration.ofSeconds(5)));
    }
    assertTrue(answered.stream().anyMatch(outcome -> !outcome.isOk()), "the refused write's commands are told: " + answered);
    for (Outcome<T> outcome : answered) {
      if (!outcome.isOk()) {
        assertEquals(Outcome.Reason.UNAVAILABLE, outcome.reason(), outcome.toString());
      }
    }
  }
}
