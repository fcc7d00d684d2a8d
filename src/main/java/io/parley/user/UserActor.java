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
import io.parley.push.PushNotification;
import io.parley.push.PushNotifier;
import io.parley.push.PushToken;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * and push tokens. Its live connections are plain actor refs held in memory: sharding finds this
 * actor from any node, which makes it the user's connection registry.
 */
public final class UserActor
    extends EventSourcedBehavior<UserActor.Command, UserActor.Event, UserActor.State> {

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

  // The limits an event is applied with are decided by its command and stored with it, so that
  // replaying it gives the same state under any configuration. Events stored before they carried
  // them read 0 there: see the FORMER_ limits below.

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

  // ------------------------------------------------------------------------------------- state

  public record Device(long ackedCursor, long lastActiveTs) implements JsonSerializable {}

  /** Mutable for speed; {@link #snapshotAdapter()} hands the snapshot store a copy. */
  public static final class State implements JsonSerializable {
    public long nextCursor = 1;
    public PendingQueue pending = new PendingQueue();
    public HashMap<String, Device> devices = new HashMap<>();
    /** Per conversation, the highest seq stored: hand-offs at or below it are repeats. */
    public HashMap<String, Long> storedThrough = new HashMap<>();
    public Inbox inbox = new Inbox();
    public long lastSeen;
    public LinkedHashSet<PushToken> pushTokens = new LinkedHashSet<>();

    long lastCursor() {
      return nextCursor - 1;
    }

    State copy() {
      State copy = new State();
      copy.nextCursor = nextCursor;
      copy.pending = pending.copy();
      copy.devices = new HashMap<>(devices);
      copy.storedThrough = new HashMap<>(storedThrough);
      copy.inbox = inbox.copy();
      copy.lastSeen = lastSeen;
      copy.pushTokens = new LinkedHashSet<>(pushTokens);
      return copy;
    }
  }

  /**
   * The events of one group-committed write, stored as one journal item: DynamoDB bills, and
   * DynamoDB Local serializes, per item, so a write costs one item however much it carries.
   */
  public record Batch(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) List<Event> events)
      implements Event, EventBatches.Batch<Event> {}

  static final int MAX_PUSH_TOKENS = 20;
  // What an event stored without its limits (0) was decided under: the defaults of the time.
  static final int FORMER_PENDING_MAX_ITEMS = 10_000;
  static final int FORMER_INBOX_MAX_ENTRIES = 1_000;
  static final long FORMER_DEVICE_INACTIVE_AFTER_MS = java.time.Duration.ofDays(30).toMillis();
  static final int MAX_PENDING_PAGE = 500;

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
  private final PushNotifier pushes;
  private final Clock clock;

  // Not state: live connections and presence subscribers exist only while this actor runs;
  // connections re-register after a restart.
  private final Map<String, ActorRef<DeviceEvent>> connections = new HashMap<>();
  private final Set<ActorRef<DeviceEvent>> presenceSubscribers = new HashSet<>();
  private final PushCoalescer pushesDue;
  private final WriteBatch<Writes> writes = new WriteBatch<>();
  /** Acks answered but not yet stored, the latest per device; see {@link #onAck}. */
  private final Map<String, DeviceAcked> acksAccepted = new HashMap<>();
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
    this.pushes = pushes;
    this.clock = clock;
    this.pushesDue = new PushCoalescer(settings.pushGatherDelay(), settings.pushCoalesceWindow());
    this.lastActivityMillis = clock.millis();
  }

  @Override
  public State emptyState() {
    return new State();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // The snapshot holds everything, so older events are deleted and the journal stays short.
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new CopyingSnapshotAdapter<>(State::copy);
  }

  @Override
  public SignalHandler<State> signalHandler() {
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
  public CommandHandler<Command, Event, State> commandHandler() {
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
  private Effect<Event, State> onStop() {
    if (!writes.isEmpty() || !acksAccepted.isEmpty()) {
      if (!acksAccepted.isEmpty()) {
        ctx.getSelf().tell(Flush.INSTANCE);
      }
      ctx.getSelf().tell(Stop.INSTANCE);
      return Effect().none();
    }
    return Effect().stop();
  }

  /** Commands that write wait for the next flush, which stores all of them in one write. */
  private Effect<Event, State> stage(Writes command) {
    if (writes.add(command)) {
      ctx.getSelf().tell(Flush.INSTANCE);
    }
    return Effect().none();
  }

  /**
   * Decides every waiting write command in arrival order (each against what the earlier ones
   * staged) and stores their events in one write; replies and deliveries follow once it is stored.
   */
  private Effect<Event, State> onFlush(State state) {
    StagedWrite write = new StagedWrite(state);
    acksAccepted.values().forEach(write::add);
    acksAccepted.clear();
    timers.cancel(FlushAcks.INSTANCE);
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

  private void decide(State state, Writes command, StagedWrite write) {
    if (command instanceof Deliver cmd) {
      onDeliver(cmd, write);
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

  private void onDeliver(Deliver cmd, StagedWrite write) {
    String conversationId = cmd.info().conversationId();
    long through = Math.max(write.storedThrough(conversationId), cmd.since());
    List<ChatMessage> fresh = cmd.messages().stream().filter(m -> m.seq() > through).toList();
    // Only a contiguous continuation is stored; after a gap (a lost hand-off) the conversation
    // re-sends from what we report here.
    if (fresh.isEmpty() || fresh.get(0).seq() != through + 1) {
      write.then(stored -> confirmHandoff(conversationId, through));
      return;
    }
    List<PendingQueue.Item> items =
        fresh.stream()
            .map(m -> new PendingQueue.Item(conversationId, m.seq(), m.senderId(), m.serverTs()))
            .toList();
    ChatMessage last = fresh.get(fresh.size() - 1);
    long firstCursor = write.addItems(new MessagesStored(cmd.info(), items, Inbox.preview(last),
        settings.inboxMaxEntries(), settings.pendingMaxItems(), settings.inactiveBefore(last.serverTs())));
    write.then(
        newState -> {
          ParleyMetrics.pendingItems(newState.pending.size());
          for (int i = 0; i < fresh.size(); i++) {
            broadcast(new DeviceEvent.MsgNew(firstCursor + i, fresh.get(i)), null);
          }
          broadcast(new DeviceEvent.InboxUpdate(newState.inbox.item(conversationId)), null);
          confirmHandoff(conversationId, fresh.get(fresh.size() - 1).seq());
          schedulePush(newState, conversationId, fresh);
        });
  }

  /** With no device connected, the newest message from someone else is worth a push. */
  private void schedulePush(State state, String conversationId, List<ChatMessage> messages) {
    if (!connections.isEmpty() || state.pushTokens.isEmpty()) {
      return;
    }
    for (int i = messages.size() - 1; i >= 0; i--) {
      ChatMessage m = messages.get(i);
      if (!m.senderId().equals(userId)) {
        pushesDue.offer(new PushCoalescer.Due(conversationId, m.seq(), m.senderId()), clock.millis())
            .ifPresent(delay -> timers.startSingleTimer(pushTimerKey(conversationId), new PushDue(conversationId), delay));
        return;
      }
    }
  }

  private Effect<Event, State> onPushDue(State state, PushDue cmd) {
    if (connections.isEmpty()) {
      pushesDue.take(cmd.conversationId(), clock.millis()).ifPresent(due -> {
        int badge = state.inbox.totalUnread();
        for (PushToken token : state.pushTokens) {
          pushes.notify(new PushNotification(
              userId, token.platform(), token.token(), due.conversationId(), due.seq(), due.senderId(), badge));
        }
      });
    }
    return Effect().none();
  }

  private static String pushTimerKey(String conversationId) {
    return "push:" + conversationId;
  }

  private void confirmHandoff(String conversationId, long storedThroughSeq) {
    entities.conversation(conversationId).tell(new ConversationActor.HandedOff(userId, storedThroughSeq));
  }

  private void onConversationChanged(ConversationChanged cmd, StagedWrite write) {
    ConversationInfo info = cmd.info();
    write.add(new MembershipChanged(info, cmd.lastMessageTs(), settings.inboxMaxEntries()));
    write.then(
        newState -> {
          broadcast(
              new DeviceEvent.ConversationUpdated(info.conversationId(), info.titleFor(userId), info.members()),
              null);
          newState.inbox.get(info.conversationId())
              .ifPresent(entry -> broadcast(new DeviceEvent.InboxUpdate(newState.inbox.item(info.conversationId())), null));
        });
  }

  private Effect<Event, State> onNotify(State state, Notify cmd) {
    broadcast(cmd.event(), null);
    return Effect().none();
  }

  private void onConnect(State state, Connect cmd, StagedWrite write) {
    touch();
    ActorRef<DeviceEvent> previous = connections.get(cmd.deviceId());
    if (cmd.connection().equals(previous)) {
      // A periodic re-registration: nothing changed.
      write.then(newState -> cmd.replyTo().tell(connected(newState, cmd.deviceId(), true)));
      return;
    }
    if (previous != null) {
      previous.tell(new DeviceEvent.Replaced());
      ctx.unwatch(previous);
    }
    boolean wasOffline = connections.isEmpty();
    if (wasOffline) {
      // Someone is back: the devices will fetch what is pending, no push is needed any more.
      pushesDue.clear().forEach(conversationId -> timers.cancel(pushTimerKey(conversationId)));
    }
    connections.put(cmd.deviceId(), cmd.connection());
    ctx.watchWith(cmd.connection(), new ConnectionTerminated(cmd.deviceId(), cmd.connection()));
    long now = clock.millis();
    write.add(new DeviceConnected(cmd.deviceId(), now, settings.pendingMaxItems(), settings.inactiveBefore(now)));
    write.then(
        newState -> {
          cmd.replyTo().tell(connected(newState, cmd.deviceId(), false));
          if (wasOffline) {
            publishPresence(newState);
          }
        });
  }

  private Connected connected(State state, String deviceId, boolean alreadyRegistered) {
    return new Connected(state.devices.get(deviceId).ackedCursor(), ctx.getSelf(), incarnation, alreadyRegistered,
        state.lastCursor());
  }

  private void onDisconnect(String deviceId, ActorRef<DeviceEvent> connection, StagedWrite write) {
    touch();
    if (!connection.equals(connections.get(deviceId))) {
      return; // already replaced by a newer connection
    }
    connections.remove(deviceId);
    ctx.unwatch(connection);
    write.add(new DeviceDisconnected(deviceId, clock.millis()));
    write.then(
        newState -> {
          if (connections.isEmpty()) {
            publishPresence(newState);
          }
        });
  }

  private Effect<Event, State> onGetPending(State state, GetPending cmd) {
    List<PendingDelivery> page =
        state.pending.after(cmd.afterCursor()).entrySet().stream()
            .limit(Math.min(cmd.limit(), MAX_PENDING_PAGE) + 1L)
            .map(e -> new PendingDelivery(e.getKey(), e.getValue()))
            .toList();
    int limit = Math.min(cmd.limit(), MAX_PENDING_PAGE);
    boolean more = page.size() > limit;
    cmd.replyTo().tell(new PendingPage(more ? page.subList(0, limit) : page, more));
    return Effect().none();
  }

  /**
   * An ack is answered once accepted, and stored with the entity's next write (or a
   * {@link Sync}, or at the latest after {@code lazyAckDelay}): PROTOCOL.md makes acks durable
   * only once a later frame on the connection is answered, so a device that just reads costs no
   * write of its own. Acks are cumulative: the latest per device is what is stored. The senders'
   * receipts go out at once; the conversation records them, so they are still sent at most once.
   */
  private Effect<Event, State> onAck(State state, Ack cmd) {
    touch();
    if (cmd.cursor() < 0 || cmd.cursor() > state.lastCursor()) {
      cmd.replyTo().tell(Outcome.rejected(Reason.BAD_REQUEST,
          "cursor " + cmd.cursor() + " is beyond the stream (last cursor " + state.lastCursor() + ")"));
      return Effect().none();
    }
    DeviceAcked accepted = acksAccepted.get(cmd.deviceId());
    Device device = state.devices.get(cmd.deviceId());
    long acked = accepted != null ? accepted.cursor()
        : device == null ? state.pending.startCursor(state.nextCursor) : device.ackedCursor();
    if (cmd.cursor() > acked) {
      Map<String, Long> deliveredThrough = new HashMap<>();
      state.pending.between(acked, cmd.cursor())
          .values()
          .forEach(item -> deliveredThrough.merge(item.conversationId(), item.seq(), Math::max));
      deliveredThrough.forEach((conversationId, seq) ->
          entities.conversation(conversationId).tell(new ConversationActor.Delivered(userId, seq)));
      long now = clock.millis();
      acksAccepted.put(cmd.deviceId(), new DeviceAcked(
          cmd.deviceId(), cmd.cursor(), now, settings.pendingMaxItems(), settings.inactiveBefore(now)));
      if (!timers.isTimerActive(FlushAcks.INSTANCE)) {
        timers.startSingleTimer(FlushAcks.INSTANCE, settings.lazyAckDelay());
      }
    }
    cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
    return Effect().none();
  }

  private void onMarkRead(State state, MarkRead cmd, StagedWrite write) {
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
          broadcast(new DeviceEvent.InboxUpdate(newState.inbox.item(cmd.conversationId())), cmd.deviceId());
          entities.conversation(cmd.conversationId())
              .tell(new ConversationActor.Read(userId, seq));
          cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
        });
  }

  private Effect<Event, State> onGetInbox(State state, GetInbox cmd) {
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

  private Effect<Event, State> onSubscribePresence(State state, SubscribePresence cmd) {
    touch();
    if (presenceSubscribers.add(cmd.subscriber())) {
      ctx.watchWith(cmd.subscriber(), new SubscriberTerminated(cmd.subscriber()));
    }
    cmd.subscriber().tell(presence(state));
    return Effect().none();
  }

  private Effect<Event, State> unsubscribe(ActorRef<DeviceEvent> subscriber) {
    if (presenceSubscribers.remove(subscriber)) {
      ctx.unwatch(subscriber);
    }
    return Effect().none();
  }

  private Effect<Event, State> onTick(State state, Tick tick) {
    boolean idle = clock.millis() - lastActivityMillis >= settings.passivateAfterIdle().toMillis();
    if (idle && writes.isEmpty() && acksAccepted.isEmpty() && connections.isEmpty() && presenceSubscribers.isEmpty() && pushesDue.isEmpty()) {
      shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }
    return Effect().none();
  }

  private DeviceEvent.Presence presence(State state) {
    return new DeviceEvent.Presence(userId, !connections.isEmpty(), state.lastSeen);
  }

  private void publishPresence(State state) {
    DeviceEvent.Presence presence = presence(state);
    presenceSubscribers.forEach(subscriber -> subscriber.tell(presence));
  }

  /** Sends to every connected device except {@code exceptDeviceId} (null: to all). */
  private void broadcast(DeviceEvent event, String exceptDeviceId) {
    connections.forEach(
        (deviceId, connection) -> {
          if (!deviceId.equals(exceptDeviceId)) {
            connection.tell(event);
          }
        });
  }

  private void touch() {
    lastActivityMillis = clock.millis();
  }

  // ------------------------------------------------------------------------------ event handler

  private EventHandler<State, Event> eventHandler;

  @Override
  public EventHandler<State, Event> eventHandler() {
    if (eventHandler == null) {
      eventHandler = buildEventHandler();
    }
    return eventHandler;
  }

  private EventHandler<State, Event> buildEventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Batch.class, (state, batch) -> EventBatches.applyAll(eventHandler, state, batch.events()))
        .onEvent(MessagesStored.class, this::applyMessagesStored)
        .onEvent(
            MembershipChanged.class,
            (state, e) -> {
              state.inbox.update(userId, e.info(), e.lastMessageTs());
              state.inbox.dropOldestBeyond(orFormer(e.inboxMaxEntries(), FORMER_INBOX_MAX_ENTRIES));
              return state;
            })
        .onEvent(
            DeviceConnected.class,
            (state, e) -> {
              // Trim first: a device back after the inactivity window has lost its pending items
              // (PROTOCOL), so it must not count as active while the trim decides that. It then
              // starts, like a new device, at the oldest item still held.
              trimPending(state, e.ts(), e.inactiveBefore(), e.pendingMaxItems());
              Device device = state.devices.get(e.deviceId());
              long acked = device == null ? state.pending.startCursor(state.nextCursor) : device.ackedCursor();
              state.devices.put(e.deviceId(), new Device(acked, e.ts()));
              return state;
            })
        .onEvent(
            DeviceDisconnected.class,
            (state, e) -> {
              state.devices.computeIfPresent(e.deviceId(), (id, d) -> new Device(d.ackedCursor(), e.ts()));
              state.lastSeen = e.ts();
              return state;
            })
        .onEvent(
            DeviceAcked.class,
            (state, e) -> {
              // Cumulative: an ack never moves a device's cursor back.
              Device device = state.devices.get(e.deviceId());
              long cursor = device == null ? e.cursor() : Math.max(device.ackedCursor(), e.cursor());
              state.devices.put(e.deviceId(), new Device(cursor, e.ts()));
              trimPending(state, e.ts(), e.inactiveBefore(), e.pendingMaxItems());
              return state;
            })
        .onEvent(
            ConversationRead.class,
            (state, e) -> {
              state.inbox.markRead(e.conversationId(), e.seq());
              return state;
            })
        .onEvent(
            PushTokenAdded.class,
            (state, e) -> {
              state.pushTokens.add(e.token());
              while (state.pushTokens.size() > MAX_PUSH_TOKENS) {
                state.pushTokens.remove(state.pushTokens.iterator().next());
              }
              return state;
            })
        .onEvent(
            PushTokenRemoved.class,
            (state, e) -> {
              state.pushTokens.remove(e.token());
              return state;
            })
        .build();
  }

  private State applyMessagesStored(State state, MessagesStored e) {
    String conversationId = e.info().conversationId();
    for (PendingQueue.Item item : e.items()) {
      state.pending.add(state.nextCursor++, item);
    }
    PendingQueue.Item last = e.items().get(e.items().size() - 1);
    state.storedThrough.put(conversationId, last.seq());
    state.inbox.addMessages(userId, e.info(), e.items(), e.preview());
    state.inbox.dropOldestBeyond(orFormer(e.inboxMaxEntries(), FORMER_INBOX_MAX_ENTRIES));
    trimPending(state, last.serverTs(), e.inactiveBefore(), e.pendingMaxItems());
    return state;
  }

  /**
   * Drops what every device has acked. Devices unseen for longer than the inactivity window no
   * longer hold items back; with no device left, items older than that window go.
   */
  private static void trimPending(State state, long ts, long inactiveBefore, int pendingMaxItems) {
    long cutoff = inactiveBefore == 0 ? ts - FORMER_DEVICE_INACTIVE_AFTER_MS : inactiveBefore;
    state.devices.values().removeIf(device -> device.lastActiveTs() < cutoff);
    if (state.devices.isEmpty()) {
      state.pending.dropOlderThan(cutoff);
    } else {
      state.pending.dropThrough(
          state.devices.values().stream().mapToLong(Device::ackedCursor).min().orElseThrow());
    }
    state.pending.dropOldestBeyond(orFormer(pendingMaxItems, FORMER_PENDING_MAX_ITEMS));
  }

  private static int orFormer(int limit, int formerLimit) {
    return limit == 0 ? formerLimit : limit;
  }
}
