package io.parley.gateway;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One connection's sends, kept in the order it read them on their way to their conversations. A
 * send is prepared (allowance, media grant, sealing) while those before it still are, but goes to
 * its conversation only once the one before it went, or failed before going. Preparations can
 * finish out of order: the sends of a new account all wait for its content key, and a completed
 * future resumes its waiters last first, which stored a device's first messages in reverse.
 */
public final class SendOrder {
  private CompletionStage<Void> last = CompletableFuture.completedFuture(null);

  /** The next send's turn; taken as frames are read, so in their order. */
  public synchronized Turn next() {
    Turn turn = new Turn(last);
    last = turn.gone;
    return turn;
  }

  /** A turn that waits for no one: for a send that is not part of a connection's stream (HTTP). */
  static Turn unordered() {
    return new Turn(CompletableFuture.completedFuture(null));
  }

  static final class Turn {
    private final CompletionStage<Void> before;
    private final CompletableFuture<Void> gone = new CompletableFuture<>();

    private Turn(CompletionStage<Void> before) {
      this.before = before;
    }

    /** Runs {@code send} once every earlier send went; later sends may go as soon as it is called. */
    <T> CompletionStage<T> go(Supplier<CompletionStage<T>> send) {
      return before.thenCompose(ignored -> {
        try {
          return send.get();
        } finally {
          gone.complete(null);
        }
      });
    }

    /** The send will not go (it failed before): later ones need wait only for those before it. */
    void release() {
      before.whenComplete((ignored, failure) -> gone.complete(null));
    }
  }
}
