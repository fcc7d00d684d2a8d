package io.parley.user;

import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * The writes of {@link GroupConsent}, each stored on its own: what follows once one is stored, or,
 * if the journal refuses it (the entity restarts), whom to tell at once rather than leave to the
 * gateway's timeout, as {@link StagedWrite#answer} does for a group-committed write.
 */
final class ConsentWrites {
  private final EffectFactories<UserActor.Event, UserState> effects;
  private Runnable ifRefused; // the write in flight's; Pekko stashes other commands meanwhile

  ConsentWrites(EffectFactories<UserActor.Event, UserState> effects) {
    this.effects = effects;
  }

  Effect<UserActor.Event, UserState> persist(UserActor.ConsentEvent event, Runnable afterWrite, Runnable ifRefused) {
    this.ifRefused = ifRefused;
    return effects.persist(event).thenRun((UserState stored) -> {
      this.ifRefused = null;
      afterWrite.run();
    });
  }

  /** The write in flight failed, and the entity restarts: whoever waits for it is told now. */
  void writeFailed() {
    Runnable refused = ifRefused;
    ifRefused = null;
    if (refused != null) {
      refused.run();
    }
  }
}
