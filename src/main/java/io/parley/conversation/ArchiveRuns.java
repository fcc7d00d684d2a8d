package io.parley.conversation;

import io.parley.conversation.ConversationActor.ArchiveFailed;
import io.parley.conversation.ConversationActor.ArchiveLoaded;
import io.parley.conversation.ConversationActor.Command;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.SegmentWritten;
import io.parley.conversation.ConversationActor.TrimFinished;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.State;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * The archive runs of one conversation (old messages moving to the cold tier), as the
 * conversation sees them: it hands over its ticks, snapshot signals and each step's result, and
 * persists what the runs answer. {@code archive.ConversationArchiving} runs them; the
 * conversation does not depend on the archive package.
 */
public interface ArchiveRuns {

  /** Makes the runs of one conversation; the entity calls it once, when it starts. */
  interface Factory {
    ArchiveRuns create(
        String conversationId,
        ActorContext<Command> ctx,
        EffectFactories<Event, State> effects,
        LongSupplier lastSequenceNr);
  }

  /** The conversation recovered: any run cut short is forgotten. */
  void recovered();

  /** Nothing in flight: the conversation may go to sleep. */
  boolean idle();

  /** The step due on the conversation's tick, if it needs a write; others start in the background. */
  Optional<Effect<Event, State>> onTick(Active state);

  void snapshotted(State state, long sequenceNr);

  void snapshotFailed(Throwable failure);

  /** Going to sleep: arrange to be woken when the next run is due. */
  void beforeSleeping(State state);

  Effect<Event, State> onLoaded(Active state, ArchiveLoaded loaded);

  Effect<Event, State> onSegmentWritten(Active state, SegmentWritten written);

  Effect<Event, State> onTrimFinished(TrimFinished trimmed);

  Effect<Event, State> onFailed(ArchiveFailed failed);
}
