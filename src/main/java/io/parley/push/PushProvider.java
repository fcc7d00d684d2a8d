package io.parley.push;

import java.util.concurrent.CompletionStage;

/**
 * One push service (APNs or FCM). A send completes with the provider's verdict, or fails with
 * {@link TransientFailure} when trying again later may succeed (429, 5xx, a broken connection).
 */
public interface PushProvider {
  enum Verdict {
    ACCEPTED,
    /** The token is gone for sure (app uninstalled, token expired): drop it from the user. */
    TOKEN_INVALID,
    /**
     * The token was refused as malformed or unknown: dead, or every token is refused because the
     * provider's endpoint or project is wrong. {@link TokenRefusals} tells which.
     */
    TOKEN_REFUSED,
    /** The token belongs to another app or sender: such a token, or a wrong topic or project setting. */
    WRONG_APP,
    /** Refused for a reason retrying will not fix, such as a misconfigured key. */
    REJECTED
  }

  String platform();

  CompletionStage<Verdict> send(PushNotification notification);

  /** Closes connections; called once at shutdown. */
  CompletionStage<Void> close();

  final class TransientFailure extends RuntimeException {
    public TransientFailure(String message) {
      super(message, null, false, false);
    }
  }
}
