package io.parley.push;

import java.util.concurrent.CompletionStage;

/**
 * One push service (APNs or FCM). A send completes with the provider's verdict, or fails with
 * {@link TransientFailure} when trying again later may succeed (429, 5xx, a broken connection).
 */
public interface PushProvider {
  enum Verdict {
    ACCEPTED,
    /** The token is dead (uninstalled app, expired or malformed token): drop it from the user. */
    TOKEN_INVALID,
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
