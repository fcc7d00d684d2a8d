package io.parley.conversation;

import io.parley.cluster.CopyingSnapshotAdapter;
import io.parley.cluster.EntityLifecycle;
import io.parley.conversation.ConversationActor.Command;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.SegmentArchived;
import io.parley.conversation.ConversationActor.TrimResumed;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.Empty;
import io.parley.conversation.ConversationState.State;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.SnapshotFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The event-sourced entity behind {@link ConversationActor}'s protocol: its journal, snapshots
 * and signals, with the command handlers in {@link ConversationCommands} and the pure event
 * handler in {@link ConversationEvents}. Apart from the protocol, whose classes journals and other
 * nodes name {@code ConversationActor$X}.
 */
final class ConversationEntity extends EventSourcedBehavior<Command, Event, State> {
  private final ConversationSettings settings;
  private final ConversationJobs jobs;

  static Behavior<Command> create(String conversationId, ActorRef<ClusterSharding.ShardCommand> shard,
      ConversationWiring wiring) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new ConversationEntity(conversationId,
        wiring.settings(), self -> new ConversationJobs(conversationId, ctx, timers, shard, self.Effect(),
            () -> self.lastSequenceNumber(ctx), wiring))));
  }

  private ConversationEntity(
      String conversationId, ConversationSettings settings, Function<ConversationEntity, ConversationJobs> jobs) {
    super(ConversationActor.persistenceId(conversationId), EntityLifecycle.onPersistenceFailure());
    this.settings = settings;
    this.jobs = jobs.apply(this); // they work with this entity's effects and sequence numbers
  }

  @Override
  public State emptyState() {
    return new Empty();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Events are the message history, so they are never deleted on snapshot (the cold tier moves
    // old ones out); snapshots only make recovery fast.
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public boolean shouldSnapshot(State state, Event event, long sequenceNr) {
    // Archived events may be deleted only once a snapshot holds the state they built.
    return event instanceof SegmentArchived || event instanceof TrimResumed;
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new CopyingSnapshotAdapter<>(state -> state instanceof Active active ? active.copy() : state);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return jobs.lifecycle.signals(newSignalHandlerBuilder(),
        jobs::recovered,
        builder -> builder
            .onSignal(SnapshotCompleted.class, (state, done) ->
                jobs.archiving.snapshotted(state, done.metadata().sequenceNr()))
            .onSignal(SnapshotFailed.class, (state, failed) -> jobs.archiving.snapshotFailed(failed.getFailure())));
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return (state, command) -> ConversationCommands.handle(jobs, state, command);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return ConversationEvents::apply;
  }
}
