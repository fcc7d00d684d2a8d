package io.parley.user;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.parley.Done;
import io.parley.Outcome;
import io.parley.Outcome.Reason;
import io.parley.cluster.CopyingSnapshotAdapter;
import io.parley.cluster.Entities;
import io.parley.cluster.EventBatches;
import io.parley.cluster.JsonSerializable;
import io.parley.cluster.PersistenceFailures;
import io.parley.cluster.WriteBatch;
import io.parley.metrics.ParleyMetrics;
import io.parley.push.OfflinePushes;
import io.parley.push.PushNotifier;
import io.parley.push.PushToken;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One user: the delivery stream (cursor, pending items, each device's ack), the inbox, presence
 * and push tokens. Its live connections ({@link DeviceConnections}) are held in memory only.
 */
public final class UserActor
    extends EventSourcedBehavior<UserActor.Command, UserActor.Event, UserState> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "user");

  public static PersistenceId persistenceId(String userId) {
    return PersistenceId.of("User", userId);
  }

  // ---------------------------------------------------------------------------------- commands

  public sealed interface Command extends JsonSerializable {}

  /** Commands that change the state: they are group-committed, see {@link #onFlush}. */
  public sealed interface Writes extends Command {}

  /** Messages of a conversation for this member; those after {@code since} are theirs. */
  public record Deliver(ConversationInfo info, long since, List<ChatMessage> messages)
      implements Writes {}

  public record ConversationChanged(ConversationInfo info, long lastMessageTs) implements Writes {}

  /** A transient event for every connected device (receipts, typing): not stored. */
  public record Notify(DeviceEvent event) implements Command {}

  public record Connect(String deviceId, ActorRef<DeviceEvent> connection, ActorRef<Connected> replyTo)
      implements Writes {}

  /**
   * {@code user} is this actor itself, for the connection to watch: if it stops or moves, the
   * connection registers again at once. Live items may have been missed unless this incarnation
   * (it changes with every recovery) already had this very connection registered, so otherwise
   * the connection replays what is pending. {@code lastCursor} is the newest item stored for the
   * user: one the connection has still not sent a heartbeat later was lost on its way.
   */
  public record Connected(
      long ackedCursor, ActorRef<Command> user, long incarnation, boolean alreadyRegistered, long lastCursor)
      implements JsonSerializable {}

  public record Disconnect(String deviceId, ActorRef<DeviceEvent> connection) implements Writes {}

  /** Pending items after {@code afterCursor}, oldest first, at most {@code limit}. */
  public record GetPending(long afterCursor, int limit, ActorRef<PendingPage> replyTo)
      implements Command {}

  public record PendingPage(List<PendingDelivery> items, boolean more) implements JsonSerializable {}

  public record PendingDelivery(long cursor, PendingQueue.Item item) implements JsonSerializable {}

  public record Ack(String deviceId, long cursor, ActorRef<Outcome<Done>> replyTo) implements Command {}

  /**
   * Replies once every ack accepted before it is stored: a connection asks this before it answers
   * a later frame, which is when PROTOCOL.md makes acks durable.
   */
  public record Sync(ActorRef<Done> replyTo) implements Writes {}

  public record MarkRead(
      String deviceId, String conversationId, long seq, ActorRef<Outcome<Done>> replyTo)
      implements Writes {}

  public record GetInbox(int limit, Long beforeTs, ActorRef<Outcome<InboxPage>> replyTo)
      implements Command {}

  public record InboxPage(List<InboxItem> items) implements JsonSerializable {}

  public record RegisterPushToken(PushToken token, ActorRef<Outcome<Done>> replyTo) implements Writes {}

  public record UnregisterPushToken(PushToken token, ActorRef<Outcome<Done>> replyTo)
      implements Writes {}

  public record SubscribePresence(ActorRef<DeviceEvent> subscriber) implements Command {}

  public record UnsubscribePresence(ActorRef<DeviceEvent> subscriber) implements Command {}

  record ConnectionTerminated(String deviceId, ActorRef<DeviceEvent> connection) implements Writes {}

  record SubscriberTerminated(ActorRef<DeviceEvent> subscriber) implements Command {}

  /** The coalesced push for a conversation is due. */
  record PushDue(String conversationId) implements Command {}

  enum Flush implements Command {
    INSTANCE
  }

  /** Acks accepted a while ago are stored even if nothing else writes. */
  enum FlushAcks implements Command {
    INSTANCE
  }

  enum Tick implements Command {
    INSTANCE
  }

  enum Stop implements Command {
    INSTANCE
  }

  /** What sharding sends to stop this entity when it passivates or its shard moves. */
  public static Command stopMessage() {
    return Stop.INSTANCE;
  }

  // ------------------------------------------------------------------------------------ events

  public sealed interface Event extends JsonSerializable {}

  // The limits an event is applied with are decided by its command and stored with it: see
  // UserState.

  /** Message references (never content) added to the stream, and the inbox's new preview. */
  public record MessagesStored(ConversationInfo info, List<PendingQueue.Item> items, String preview,
      int inboxMaxEntries, int pendingMaxItems, long inactiveBefore) implements Event {}

  public record MembershipChanged(ConversationInfo info, long lastMessageTs, int inboxMaxEntries)
      implements Event {}

  public record DeviceConnected(String deviceId, long ts, int pendingMaxItems, long inactiveBefore)
      implements Event {}

  public record DeviceDisconnected(String deviceId, long ts) implements Event {}

  public record DeviceAcked(String deviceId, long cursor, long ts, int pendingMaxItems, long inactiveBefore)
      implements Event {}

  public record ConversationRead(String conversationId, long seq) implements Event {}

  public record PushTokenAdded(PushToken token) implements Event {}

  public record PushTokenRemoved(PushToken token) implements Event {}

  /**
   * The events of one group-committed write, stored as one journal item: DynamoDB bills, and
   * DynamoDB Local serializes, per item, so a write costs one item however much it carries.
   */
  public record Batch(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) List<Event> events)
      implements Event, EventBatches.Batch<Event> {}

  // ------------------------------------------------------------------------------------ wiring

  public static Behavior<Command> create(
      String userId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      Entities entities,
      UserSettings settings,
      PushNotifier pushes,
      Clock clock) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new UserActor(userId, ctx, timers, shard, entities, settings, pushes, clock)));
  }

  private final String userId;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final Entities entities;
  private final UserSettings settings;
  private final Clock clock;

  private final DeviceConnections connections;
  private final OfflinePushes<Command> pushes;
  private final DeliveryStream stream;
  private final WriteBatch<Writes> writes = new WriteBatch<>();
  private static final AtomicLong INCARNATIONS = new AtomicLong(System.nanoTime());
  private long incarnation;
  private long lastActivityMillis;
  private final ParleyMetrics.RunningEntity running = new ParleyMetrics.RunningEntity(TYPE_KEY.name());

  private UserActor(
      String userId,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ActorRef<ClusterSharding.ShardCommand> shard,
      Entities entities,
      UserSettings settings,
      PushNotifier pushes,
      Clock clock) {
    super(persistenceId(userId), PersistenceFailures.restartWithBackoff());
    this.userId = userId;
    this.ctx = ctx;
    this.timers = timers;
    this.shard = shard;
    this.entities = entities;
    this.settings = settings;
    this.clock = clock;
    this.connections = new DeviceConnections(userId, ctx);
    this.pushes = new OfflinePushes<>(
        userId, settings.pushGatherDelay(), settings.pushCoalesceWindow(), pushes, timers, PushDue::new, clock);
    this.stream = new DeliveryStream(userId, entities, settings, clock, timers, connections, this.pushes);
    this.lastActivityMillis = clock.millis();
  }

  @Override
  public UserState emptyState() {
    return new UserState();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // The snapshot holds everything, so older events are deleted and the journal stays short.
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public SnapshotAdapter<UserState> snapshotAdapter() {
    return new CopyingSnapshotAdapter<>(UserState::copy);
  }

  @Override
  public SignalHandler<UserState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              incarnation = INCARNATIONS.incrementAndGet();
              running.started();
              timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.passivateAfterIdle().dividedBy(4));
            })
        // A restart after a journal failure recovers again: count each run once.
        .onSignal(PreRestart.instance(), state -> running.stopped())
        .onSignal(PostStop.instance(), state -> running.stopped())
        .build();
  }

  // ---------------------------------------------------------------------------- command handler

  @Override
  public CommandHandler<Command, Event, UserState> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Writes.class, (state, cmd) -> stage(cmd))
        .onCommand(Flush.class, (state, cmd) -> onFlush(state))
        .onCommand(FlushAcks.class, (state, cmd) -> onFlush(state))
        .onCommand(Ack.class, this::onAck)
        .onCommand(Notify.class, this::onNotify)
        .onCommand(GetPending.class, this::onGetPending)
        .onCommand(GetInbox.class, this::onGetInbox)
        .onCommand(SubscribePresence.class, this::onSubscribePresence)
        .onCommand(UnsubscribePresence.class, (state, cmd) -> unsubscribe(cmd.subscriber()))
        .onCommand(SubscriberTerminated.class, (state, cmd) -> unsubscribe(cmd.subscriber()))
        .onCommand(PushDue.class, this::onPushDue)
        .onCommand(Tick.class, this::onTick)
        .onCommand(Stop.class, (state, cmd) -> onStop())
        .build();
  }

  /** Stops once what waits to be written is stored (its flush is already on its way). */
  private Effect<Event, UserState> onStop() {
    if (!writes.isEmpty() || stream.acksWaiting()) {
      if (stream.acksWaiting()) {
        ctx.getSelf().tell(Flush.INSTANCE);
      }
      ctx.getSelf().tell(Stop.INSTANCE);
      return Effect().none();
    }
    return Effect().stop();
  }

  /** Commands that write wait for the next flush, which stores all of them in one write. */
  private Effect<Event, UserState> stage(Writes command) {
    if (writes.add(command)) {
      ctx.getSelf().tell(Flush.INSTANCE);
    }
    return Effect().none();
  }

  /**
   * Decides every waiting write command in arrival order (each against what the earlier ones
   * staged) and stores their events in one write; replies and deliveries follow once it is stored.
   */
  private Effect<Event, UserState> onFlush(UserState state) {
    StagedWrite write = new StagedWrite(state);
    stream.storeAcks(write);
    Writes command;
    int commands = 0;
    while (!write.full() && (command = writes.poll()) != null) {
      decide(state, command, write);
      commands++;
    }
    ParleyMetrics.groupCommit(TYPE_KEY.name(), commands);
    if (writes.needsFlush()) {
      ctx.getSelf().tell(Flush.INSTANCE);
    }
    if (write.events().isEmpty()) {
      write.runAfterWrite(state);
      return Effect().none();
    }
    return Effect().persist(EventBatches.persistable(write.events(), Batch::new)).thenRun(write::runAfterWrite);
  }

  private void decide(UserState state, Writes command, StagedWrite write) {
    if (command instanceof Deliver cmd) {
      stream.deliver(cmd, write);
    } else if (command instanceof Sync cmd) {
      write.then(stored -> cmd.replyTo().tell(Done.INSTANCE));
    } else if (command instanceof MarkRead cmd) {
      onMarkRead(state, cmd, write);
    } else if (command instanceof ConversationChanged cmd) {
      onConversationChanged(cmd, write);
    } else if (command instanceof Connect cmd) {
      onConnect(state, cmd, write);
    } else if (command instanceof Disconnect cmd) {
      onDisconnect(cmd.deviceId(), cmd.connection(), write);
    } else if (command instanceof ConnectionTerminated cmd) {
      onDisconnect(cmd.deviceId(), cmd.connection(), write);
    } else if (command instanceof RegisterPushToken cmd) {
      onRegisterPushToken(cmd, write);
    } else if (command instanceof UnregisterPushToken cmd) {
      onUnregisterPushToken(cmd, write);
    }
  }

  private Effect<Event, UserState> onPushDue(UserState state, PushDue cmd) {
    if (!connections.online()) {
      pushes.due(cmd.conversationId(), state.pushTokens, state.inbox::totalUnread);
    }
    return Effect().none();
  }

  private void onConversationChanged(ConversationChanged cmd, StagedWrite write) {
    ConversationInfo info = cmd.info();
    write.add(new MembershipChanged(info, cmd.lastMessageTs(), settings.inboxMaxEntries()));
    write.then(
        newState -> {
          connections.broadcast(
              new DeviceEvent.ConversationUpdated(info.conversationId(), info.titleFor(userId), info.members()),
              null);
          newState.inbox.get(info.conversationId())
              .ifPresent(entry -> connections.broadcast(new DeviceEvent.InboxUpdate(newState.inbox.item(info.conversationId())), null));
        });
  }

  private Effect<Event, UserState> onNotify(UserState state, Notify cmd) {
    connections.broadcast(cmd.event(), null);
    return Effect().none();
  }

  private void onConnect(UserState state, Connect cmd, StagedWrite write) {
    touch();
    if (connections.isRegistered(cmd.deviceId(), cmd.connection())) {
      // A periodic re-registration: nothing changed.
      write.then(newState -> cmd.replyTo().tell(connected(newState, cmd.deviceId(), true)));
      return;
    }
    boolean wasOffline = !connections.online();
    if (wasOffline) {
      pushes.cancelAll();
    }
    connections.register(cmd.deviceId(), cmd.connection());
    long now = clock.millis();
    write.add(new DeviceConnected(cmd.deviceId(), now, settings.pendingMaxItems(), settings.inactiveBefore(now)));
    write.then(
        newState -> {
          cmd.replyTo().tell(connected(newState, cmd.deviceId(), false));
          if (wasOffline) {
            connections.publishPresence(newState.lastSeen);
          }
        });
  }

  private Connected connected(UserState state, String deviceId, boolean alreadyRegistered) {
    return new Connected(state.devices.get(deviceId).ackedCursor(), ctx.getSelf(), incarnation, alreadyRegistered,
        state.lastCursor());
  }

  private void onDisconnect(String deviceId, ActorRef<DeviceEvent> connection, StagedWrite write) {
    touch();
    if (!connections.unregister(deviceId, connection)) {
      return; // already replaced by a newer connection
    }
    write.add(new DeviceDisconnected(deviceId, clock.millis()));
    write.then(
        newState -> {
          if (!connections.online()) {
            connections.publishPresence(newState.lastSeen);
          }
        });
  }

  private Effect<Event, UserState> onGetPending(UserState state, GetPending cmd) {
    cmd.replyTo().tell(stream.pending(state, cmd));
    return Effect().none();
  }

  private Effect<Event, UserState> onAck(UserState state, Ack cmd) {
    touch();
    stream.ack(state, cmd);
    return Effect().none();
  }

  private void onMarkRead(UserState state, MarkRead cmd, StagedWrite write) {
    touch();
    var entry = state.inbox.get(cmd.conversationId());
    if (entry.isEmpty()) {
      cmd.replyTo().tell(Outcome.rejected(Reason.NOT_MEMBER,
          userId + " is not a member of " + cmd.conversationId()));
      return;
    }
    long seq = Math.min(cmd.seq(), entry.get().lastSeq());
    if (seq <= write.readSeq(cmd.conversationId(), entry.get().readSeq())) {
      write.then(newState -> cmd.replyTo().tell(Outcome.ok(Done.INSTANCE)));
      return;
    }
    write.read(new ConversationRead(cmd.conversationId(), seq));
    write.then(
        newState -> {
          connections.broadcast(new DeviceEvent.InboxUpdate(newState.inbox.item(cmd.conversationId())), cmd.deviceId());
          entities.conversation(cmd.conversationId())
              .tell(new ConversationActor.Read(userId, seq));
          cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
        });
  }

  private Effect<Event, UserState> onGetInbox(UserState state, GetInbox cmd) {
    touch();
    cmd.replyTo().tell(Outcome.ok(new InboxPage(state.inbox.page(cmd.limit(), cmd.beforeTs()))));
    return Effect().none();
  }

  private void onRegisterPushToken(RegisterPushToken cmd, StagedWrite write) {
    if (write.pushTokens().add(cmd.token())) {
      write.add(new PushTokenAdded(cmd.token()));
    }
    write.then(newState -> cmd.replyTo().tell(Outcome.ok(Done.INSTANCE)));
  }

  private void onUnregisterPushToken(UnregisterPushToken cmd, StagedWrite write) {
    if (write.pushTokens().remove(cmd.token())) {
      write.add(new PushTokenRemoved(cmd.token()));
    }
    write.then(newState -> cmd.replyTo().tell(Outcome.ok(Done.INSTANCE)));
  }

  private Effect<Event, UserState> onSubscribePresence(UserState state, SubscribePresence cmd) {
    touch();
    connections.subscribe(cmd.subscriber(), state.lastSeen);
    return Effect().none();
  }

  private Effect<Event, UserState> unsubscribe(ActorRef<DeviceEvent> subscriber) {
    connections.unsubscribe(subscriber);
    return Effect().none();
  }

  private Effect<Event, UserState> onTick(UserState state, Tick tick) {
    boolean idle = clock.millis() - lastActivityMillis >= settings.passivateAfterIdle().toMillis();
    if (idle && writes.isEmpty() && !stream.acksWaiting() && connections.idle() && pushes.isEmpty()) {
      shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }
    return Effect().none();
  }

  private void touch() {
    lastActivityMillis = clock.millis();
  }

  // ------------------------------------------------------------------------------ event handler

  private EventHandler<UserState, Event> eventHandler;

  @Override
  public EventHandler<UserState, Event> eventHandler() {
    if (eventHandler == null) {
      eventHandler = newEventHandlerBuilder()
          .forAnyState()
          .onEvent(Batch.class, (state, batch) -> EventBatches.applyAll(eventHandler, state, batch.events()))
          .onEvent(MessagesStored.class, (state, e) -> state.apply(userId, e))
          .onEvent(MembershipChanged.class, (state, e) -> state.apply(userId, e))
          .onEvent(DeviceConnected.class, UserState::apply)
          .onEvent(DeviceDisconnected.class, UserState::apply)
          .onEvent(DeviceAcked.class, UserState::apply)
          .onEvent(ConversationRead.class, UserState::apply)
          .onEvent(PushTokenAdded.class, UserState::apply)
          .onEvent(PushTokenRemoved.class, UserState::apply)
          .build();
    }
    return eventHandler;
  }
}
