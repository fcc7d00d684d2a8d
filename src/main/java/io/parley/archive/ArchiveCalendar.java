package io.parley.archive;

import io.parley.cluster.JsonSerializable;
import io.parley.cluster.EntityLifecycle;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.Conversations;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One page of the archive calendar: the conversations whose next archive run falls due in one
 * time slot (one of several buckets per slot, to keep pages small). A conversation asleep when
 * its messages age would otherwise keep them in DynamoDB until someone wrote to it again; it
 * leaves a reminder here when it passivates, and the {@link ArchiveClock} fires the page once the
 * slot has passed, waking each conversation so that it archives.
 */
public final class ArchiveCalendar
    extends EventSourcedBehavior<ArchiveCalendar.Command, ArchiveCalendar.Event, ArchiveCalendar.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "archive-calendar");
  private static final Duration IDLE = Duration.ofSeconds(30);

  /** The page holding {@code conversationId}'s reminder for {@code slot}. */
  public static String pageId(long slot, String conversationId, int buckets) {
    return pageId(slot, Math.floorMod(conversationId.hashCode(), buckets));
  }

  static String pageId(long slot, int bucket) {
    return slot + "-" + bucket;
  }

  // ---------------------------------------------------------------------------------- commands

  public sealed interface Command extends JsonSerializable {}

  public record Remind(String conversationId) implements Command {}

  /** The slot has passed: wake everyone on this page. */
  public record Fire(long slot) implements Command {}

  enum Idle implements Command {
    INSTANCE
  }

  enum Stop implements Command {
    INSTANCE
  }

  public static Command stopMessage() {
    return Stop.INSTANCE;
  }

  // ------------------------------------------------------------------------------------ events

  public sealed interface Event extends JsonSerializable {}

  public record Reminded(String conversationId) implements Event {}

  public record Fired(long slot) implements Event {}

  // ------------------------------------------------------------------------------------- state

  public record State(TreeSet<String> due, boolean fired) implements JsonSerializable {}

  // ------------------------------------------------------------------------------------ wiring

  public static Behavior<Command> create(String pageId, ActorRef<ClusterSharding.ShardCommand> shard, Conversations conversations) {
    return Behaviors.setup(ctx -> {
      ctx.setReceiveTimeout(IDLE, Idle.INSTANCE);
      return new ArchiveCalendar(pageId, ctx, shard, conversations);
    });
  }

  private final ActorContext<Command> ctx;
  private final EntityLifecycle<State> lifecycle;
  private final Conversations conversations;

  private ArchiveCalendar(
      String pageId, ActorContext<Command> ctx, ActorRef<ClusterSharding.ShardCommand> shard, Conversations conversations) {
    super(PersistenceId.of("ArchiveCalendar", pageId), EntityLifecycle.onPersistenceFailure());
    this.ctx = ctx;
    this.lifecycle = new EntityLifecycle<>(TYPE_KEY.name(), ctx, shard);
    this.conversations = conversations;
  }

  @Override
  public State emptyState() {
    return new State(new TreeSet<>(), false);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 1).withDeleteEventsOnSnapshot();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return lifecycle.signals(newSignalHandlerBuilder(), state -> {});
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Remind.class, this::onRemind)
        .onCommand(Fire.class, this::onFire)
        .onCommand(Idle.class, (state, cmd) -> {
          lifecycle.passivate();
          return Effect().none();
        })
        .onCommand(Stop.class, (state, cmd) -> Effect().stop())
        .build();
  }

  private Effect<Event, State> onRemind(State state, Remind cmd) {
    if (state.fired()) {
      // Late for a page already fired: its slot has passed, so the conversation is due now.
      wake(List.of(cmd.conversationId()));
      return Effect().none();
    }
    if (state.due().contains(cmd.conversationId())) {
      return Effect().none();
    }
    return Effect().persist(new Reminded(cmd.conversationId()));
  }

  private Effect<Event, State> onFire(State state, Fire cmd) {
    if (state.fired()) {
      return Effect().none();
    }
    List<String> due = List.copyOf(state.due());
    return Effect().persist(new Fired(cmd.slot())).thenRun(newState -> wake(due));
  }

  private void wake(List<String> conversationIds) {
    conversationIds.forEach(id -> conversations.conversation(id).tell(new ConversationActor.WakeUp("archive")));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Reminded.class, (state, e) -> {
          TreeSet<String> due = new TreeSet<>(state.due());
          due.add(e.conversationId());
          return new State(due, false);
        })
        // Fired pages forget their list: the conversations re-register if they are still due.
        .onEvent(Fired.class, (state, e) -> new State(new TreeSet<>(), true))
        .build();
  }
}
