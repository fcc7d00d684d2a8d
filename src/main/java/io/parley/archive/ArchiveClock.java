package io.parley.archive;

import io.parley.cluster.JsonSerializable;
import io.parley.cluster.EntityLifecycle;
import java.time.Clock;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The cluster's one clock for the archive calendar (a cluster singleton): once a slot has
 * passed, it fires every page of that slot. It remembers the last slot fired, so slots that pass
 * while the cluster is down are fired when it comes back.
 */
public final class ArchiveClock
    extends EventSourcedBehavior<ArchiveClock.Command, ArchiveClock.Event, ArchiveClock.State> {

  /** On a first start, how many past slots are fired (nothing older can hold reminders). */
  static final int FIRST_START_LOOKBACK_SLOTS = 2;

  public sealed interface Command extends JsonSerializable {}

  enum Tick implements Command {
    INSTANCE
  }

  public sealed interface Event extends JsonSerializable {}

  public record SlotsFired(long throughSlot) implements Event {}

  /** {@code firedThrough}: the last slot whose pages were fired; -1 before the first. */
  public record State(long firedThrough) implements JsonSerializable {}

  public static Behavior<Command> create(ArchiveCalendars calendars, ArchiveSettings settings, Clock clock) {
    return Behaviors.withTimers(timers -> new ArchiveClock(timers, calendars, settings, clock));
  }

  private final TimerScheduler<Command> timers;
  private final ArchiveCalendars calendars;
  private final ArchiveSettings settings;
  private final Clock clock;
  private final EntityLifecycle<State> lifecycle = new EntityLifecycle<>("archive-clock");

  private ArchiveClock(TimerScheduler<Command> timers, ArchiveCalendars calendars, ArchiveSettings settings, Clock clock) {
    super(PersistenceId.ofUniqueId("ArchiveClock"), EntityLifecycle.onPersistenceFailure());
    this.timers = timers;
    this.calendars = calendars;
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return new State(-1);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 1).withDeleteEventsOnSnapshot();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return lifecycle.signals(newSignalHandlerBuilder(), state ->
        timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.calendarSlot().dividedBy(2)));
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Tick.class, this::onTick)
        .build();
  }

  private Effect<Event, State> onTick(State state, Tick tick) {
    // A slot is fired once it has ended, so every reminder on it is due.
    long lastEnded = clock.millis() / settings.calendarSlot().toMillis() - 1;
    long from = state.firedThrough() < 0 ? lastEnded - FIRST_START_LOOKBACK_SLOTS : state.firedThrough() + 1;
    if (from > lastEnded) {
      return Effect().none();
    }
    // Fired before it is recorded: after a crash in between the slots fire again, which pages
    // already fired ignore.
    for (long slot = from; slot <= lastEnded; slot++) {
      for (int bucket = 0; bucket < settings.calendarBuckets(); bucket++) {
        calendars.archiveCalendar(ArchiveCalendar.pageId(slot, bucket)).tell(new ArchiveCalendar.Fire(slot));
      }
    }
    return Effect().persist(new SlotsFired(lastEnded));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(SlotsFired.class, (state, e) -> new State(e.throughSlot()))
        .build();
  }
}
