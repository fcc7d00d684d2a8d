package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.conversation.Backoff.Unrecorded;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final Duration FIRST = Duration.ofSeconds(1);
  private static final long CAP = 5_000;

  private static Backoff<String> backoff(Unrecorded unrecorded) {
    return new Backoff<>(FIRST, CAP, unrecorded);
  }

  @Test
  void aKeySentIsDueOnceItsFirstDelayHasPassed() {
    for (Unrecorded unrecorded : Unrecorded.values()) {
      Backoff<String> backoff = backoff(unrecorded);
      backoff.sent("a", T0);
      assertFalse(backoff.isDue("a", T0), unrecorded.name());
      assertFalse(backoff.isDue("a", T0 + 999), unrecorded.name());
      assertTrue(backoff.isDue("a", T0 + 1_000), unrecorded.name());
    }
  }

  @Test
  void eachResendDoublesTheDelayUpToTheCap() {
    for (Unrecorded unrecorded : Unrecorded.values()) {
      Backoff<String> backoff = backoff(unrecorded);
      backoff.sent("a", T0);
      long now = T0;
      for (long expected : new long[] {1_000, 2_000, 4_000, 5_000, 5_000}) {
        assertFalse(backoff.isDue("a", now + expected - 1), unrecorded + " before " + expected);
        assertTrue(backoff.isDue("a", now + expected), unrecorded + " at " + expected);
        now += expected;
        backoff.resent("a", now);
      }
    }
  }

  @Test
  void aFreshSendKeepsTheDelayReached() {
    Backoff<String> backoff = backoff(Unrecorded.NEVER_SENT);
    backoff.sent("a", T0);
    backoff.resent("a", T0 + 1_000); // now 2 s
    backoff.resent("a", T0 + 3_000); // now 4 s
    backoff.sent("a", T0 + 3_500);
    assertFalse(backoff.isDue("a", T0 + 7_499));
    assertTrue(backoff.isDue("a", T0 + 7_500));
  }

  @Test
  void anUnrecordedKeyNeverSentIsDueAtOnceAndItsFirstSendDoesNotDouble() {
    Backoff<String> backoff = backoff(Unrecorded.NEVER_SENT);
    assertTrue(backoff.isDue("a", 0));
    assertTrue(backoff.isDue("a", T0));
    backoff.resent("a", T0);
    assertFalse(backoff.isDue("a", T0 + 999));
    assertTrue(backoff.isDue("a", T0 + 1_000));
    backoff.resent("a", T0 + 1_000);
    assertFalse(backoff.isDue("a", T0 + 2_999));
    assertTrue(backoff.isDue("a", T0 + 3_000));
  }

  @Test
  void anUnrecordedKeySentAtZeroIsDueAfterTheFirstDelayAndItsSendDoubles() {
    Backoff<String> backoff = backoff(Unrecorded.SENT_AT_ZERO);
    assertFalse(backoff.isDue("a", 999));
    assertTrue(backoff.isDue("a", 1_000));
    assertTrue(backoff.isDue("a", T0));
    backoff.resent("a", T0);
    assertFalse(backoff.isDue("a", T0 + 1_999));
    assertTrue(backoff.isDue("a", T0 + 2_000));
  }

  @Test
  void resettingTheDelayWaitsTheFirstDelayFromTheLastSend() {
    Backoff<String> backoff = backoff(Unrecorded.SENT_AT_ZERO);
    backoff.sent("a", T0);
    backoff.resent("a", T0 + 1_000);
    backoff.resent("a", T0 + 3_000); // now 4 s
    backoff.resetDelay("a");
    assertFalse(backoff.isDue("a", T0 + 3_999));
    assertTrue(backoff.isDue("a", T0 + 4_000));
    backoff.resetDelay("b");
    assertEquals(List.of("a"), backoff.keys(), "resetting an unrecorded key records nothing");
  }

  @Test
  void forgettingAKeyMakesItUnrecordedAgain() {
    for (Unrecorded unrecorded : Unrecorded.values()) {
      Backoff<String> backoff = backoff(unrecorded);
      backoff.sent("a", T0);
      backoff.resent("a", T0 + 1_000);
      backoff.sent("b", T0);
      backoff.forget("a");
      assertTrue(backoff.isDue("a", T0 + 1_000), unrecorded.name());
      assertEquals(0, backoff.sends("a"), unrecorded.name());
      assertEquals(List.of("b"), backoff.keys(), unrecorded.name());
      backoff.forget("b");
      assertTrue(backoff.isEmpty(), unrecorded.name());
      backoff.sent("a", T0 + 1_000);
      assertFalse(backoff.isDue("a", T0 + 1_999), unrecorded + ": the delay starts over");
      assertTrue(backoff.isDue("a", T0 + 2_000), unrecorded + ": the delay starts over");
    }
  }

  @Test
  void sendsAreCountedSinceTheKeyWasRecorded() {
    Backoff<String> backoff = backoff(Unrecorded.NEVER_SENT);
    assertEquals(0, backoff.sends("a"));
    backoff.sent("a", T0);
    backoff.resent("a", T0 + 1_000);
    backoff.sent("a", T0 + 1_500);
    assertEquals(3, backoff.sends("a"));
    backoff.resetDelay("a");
    assertEquals(3, backoff.sends("a"), "progress does not reset the count");
  }

  @Test
  void keysAreACopyThatMayBeForgottenWhileWalked() {
    Backoff<String> backoff = backoff(Unrecorded.NEVER_SENT);
    backoff.sent("a", T0);
    backoff.sent("b", T0);
    backoff.keys().forEach(backoff::forget);
    assertTrue(backoff.isEmpty());
  }

  @Test
  void forgettingTheKeysThatMatchLeavesTheOthers() {
    Backoff<String> backoff = backoff(Unrecorded.NEVER_SENT);
    backoff.sent("gone", T0);
    backoff.sent("kept", T0);
    backoff.forgetIf("gone"::equals);
    assertEquals(List.of("kept"), backoff.keys());
    assertEquals(0, backoff.sends("gone"));
  }
}
