package io.parley.push;

import io.parley.push.PushProvider.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a token a provider refused is dropped from its user. A wrong setting (APNs topic or
 * sandbox/production endpoint, FCM project) gets the answers a bad token gets for every token;
 * dropping on them would wipe every registration for good, and fixing the setting could not
 * bring them back. So a token of another app or sender is never dropped, and a malformed or
 * unknown token only while the same provider has accepted a push within the evidence window,
 * proof that its settings are right. A token kept in error costs one refused push per wake-up.
 */
final class TokenRefusals {
  private static final Logger log = LoggerFactory.getLogger(TokenRefusals.class);
  /** One ERROR per platform and kind of refusal this often: a wrong setting refuses every push. */
  static final Duration LOG_EVERY = Duration.ofMinutes(10);

  /** What to do with a push's token, and the outcome to count. */
  record Judgement(boolean remove, String outcome) {}

  private final Duration evidenceWindow;
  private final Clock clock;
  private final Map<String, Instant> lastAccepted = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastLogged = new ConcurrentHashMap<>();

  TokenRefusals(Duration evidenceWindow, Clock clock) {
    this.evidenceWindow = evidenceWindow;
    this.clock = clock;
  }

  Judgement judge(String platform, Verdict verdict) {
    return switch (verdict) {
      case ACCEPTED -> {
        lastAccepted.put(platform, clock.instant());
        yield new Judgement(false, "accepted");
      }
      case TOKEN_INVALID -> new Judgement(true, "token_invalid");
      case TOKEN_REFUSED -> {
        if (acceptedRecently(platform)) {
          yield new Judgement(true, "token_invalid");
        }
        logRarely(platform, "token_unconfirmed", "{} refuses push tokens as invalid and has accepted no push in the "
            + "last {}: the tokens are kept. If it refuses every token, check {}", name(platform),
            evidenceWindow.toString().substring(2).toLowerCase(),
            platform.equals("apns")
                ? "PARLEY_APNS_ENDPOINT (api.sandbox.push.apple.com for development builds, api.push.apple.com for "
                    + "App Store and TestFlight builds)"
                : "PARLEY_FCM_PROJECT_ID and PARLEY_FCM_CREDENTIALS_FILE (the Firebase project the app registers with)");
        yield new Judgement(false, "token_unconfirmed");
      }
      case WRONG_APP -> {
        logRarely(platform, "wrong_app", "{} says push tokens belong to another app: the tokens are kept. If it "
            + "says so for every token, check {}", name(platform),
            platform.equals("apns")
                ? "PARLEY_APNS_TOPIC (the app's bundle id)"
                : "PARLEY_FCM_PROJECT_ID and PARLEY_FCM_CREDENTIALS_FILE (the Firebase project the app registers with)");
        yield new Judgement(false, "wrong_app");
      }
      case REJECTED -> new Judgement(false, "rejected");
    };
  }

  private static String name(String platform) {
    return platform.equals("apns") ? "APNs" : "FCM";
  }

  private boolean acceptedRecently(String platform) {
    Instant accepted = lastAccepted.get(platform);
    return accepted != null && !accepted.plus(evidenceWindow).isBefore(clock.instant());
  }

  private void logRarely(String platform, String kind, String format, Object... args) {
    Instant now = clock.instant();
    Instant[] logged = new Instant[1];
    lastLogged.compute(platform + " " + kind, (key, last) -> {
      boolean due = last == null || !last.plus(LOG_EVERY).isAfter(now);
      logged[0] = due ? now : null;
      return due ? now : last;
    });
    if (logged[0] != null) {
      log.error(format, args);
    }
  }
}
