package io.parley.user;

import io.parley.cluster.Outcome;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Whom a consent command answers, and in which form. Its asker says it reads an {@link Outcome}
 * ({@code readsOutcome}); an asker on a node of an earlier version does not say so and reads the
 * bare value, so it is answered that way. It would take an Outcome for an internal error (a
 * choice, a quota) or, refused, for an invite stored, so a refusal is not sent to it: its ask
 * times out, as before. A null {@code replyTo} (a give-back of quota from a gateway of an earlier
 * version, which reads no answer) is answered nothing.
 */
record ConsentReply<T>(ActorRef<Outcome<T>> replyTo, boolean readsOutcome) {
  void ok(T value) {
    if (replyTo == null) {
      return;
    }
    if (readsOutcome) {
      replyTo.tell(Outcome.ok(value));
    } else {
      replyTo.<Object>unsafeUpcast().tell(value);
    }
  }

  /** A choice this version does not know: unavailable, which the client may retry once the update is done. */
  void unknown(String message) {
    if (replyTo != null && readsOutcome) {
      replyTo.tell(Outcome.rejected(Outcome.Reason.UNAVAILABLE, message));
    }
  }

  /** The journal refused the write of {@code what}: unavailable, which the client may retry. */
  void refused(String what) {
    if (replyTo != null && readsOutcome) {
      replyTo.tell(Outcome.rejected(Outcome.Reason.UNAVAILABLE, "could not store " + what + " now; retry"));
    }
  }
}
