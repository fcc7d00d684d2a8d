package io.parley.cluster;

import java.util.concurrent.CompletionStage;

/** The value of a successful request that has nothing else to say. */
public record Done() implements JsonSerializable {
  public static final Done INSTANCE = new Done();

  /**
   * {@code stage}'s end, with Done for its value: for a stage of nothing (Void) piped to an actor.
   * Pekko's pipeToSelf wraps the value in the message; if the actor stopped meanwhile, a null there
   * makes Pekko's DeadLetterListener throw instead of logging the letter.
   */
  public static CompletionStage<Done> after(CompletionStage<?> stage) {
    return stage.thenApply(nothing -> INSTANCE);
  }
}
