package io.parley.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.push.PushProvider.Verdict;
import io.parley.push.TokenRefusals.Judgement;
import io.parley.testing.EntityHarness.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The rule alone; PushDispatcherTest runs it against the real peers. */
class TokenRefusalsTest {
  final ManualClock clock = new ManualClock();
  final TokenRefusals refusals = new TokenRefusals(Duration.ofHours(1), clock);

  @Test
  void aRefusedTokenIsDroppedOnlyWithinTheWindowAfterItsOwnProviderAcceptedAPush() {
    assertEquals(new Judgement(false, "token_unconfirmed"), refusals.judge("apns", Verdict.TOKEN_REFUSED));
    refusals.judge("fcm", Verdict.ACCEPTED);
    assertEquals(new Judgement(false, "token_unconfirmed"), refusals.judge("apns", Verdict.TOKEN_REFUSED),
        "another provider's accepted push proves nothing of this one's settings");
    refusals.judge("apns", Verdict.ACCEPTED);
    clock.advance(Duration.ofMinutes(59));
    assertEquals(new Judgement(true, "token_invalid"), refusals.judge("apns", Verdict.TOKEN_REFUSED));
    clock.advance(Duration.ofMinutes(2));
    assertEquals(new Judgement(false, "token_unconfirmed"), refusals.judge("apns", Verdict.TOKEN_REFUSED));
  }

  @Test
  void aTokenOfAnotherAppIsKeptEvenRightAfterAnAcceptedPush() {
    refusals.judge("fcm", Verdict.ACCEPTED);
    assertEquals(new Judgement(false, "wrong_app"), refusals.judge("fcm", Verdict.WRONG_APP));
    assertEquals(new Judgement(true, "token_invalid"), refusals.judge("fcm", Verdict.TOKEN_INVALID));
  }
}
