package io.parley.conversation;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.parley.Done;
import io.parley.Outcome;
import io.parley.Outcome.Reason;
import io.parley.archive.ArchivePlan;
import io.parley.archive.ColdSegments;
import io.parley.archive.ColdTier;
import io.parley.archive.Segment;
import io.parley.cluster.CopyingSnapshotAdapter;
import io.parley.cluster.Entities;
import io.parley.cluster.EventBatches;
import io.parley.cluster.JsonSerializable;
import io.parley.cluster.PersistenceFailures;
import io.parley.metrics.ParleyMetrics;
import io.parley.user.DeviceEvent;
import io.parley.user.DeviceEvent.ReceiptStatus;
import io.parley.user.UserActor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.SnapshotFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One conversation: membership, the gapless {@code seq}, idempotent sends, receipts and fan-out.
 *
 * <p>Sends are buffered and written together: while one write is in flight, new sends wait in
 * {@link #buffer} and the next {@link Flush} persists all of them as one event, which is how one
 * conversation keeps up with many senders. A send is acked only after its event is stored.
 *
 * <p>Fan-out to members' UserActors is at-least-once: each UserActor reports how far it has
 * stored this conversation ({@link HandedOff}), those watermarks are persisted, and anything not
 * yet confirmed is re-read (from the journal or the cold tier) and sent again until it is. UserActors drop what
 * they already have, by (conversation, seq).
 *
 * <p>Messages older than {@code parley.archive.after} move to the cold tier (S3): the runs that
 * move them are {@link ConversationArchiving}'s job; this actor hands it their results and ticks.
 */
public final class ConversationActor
    extends EventSourcedBehavior<
        ConversationActor.Command, ConversationActor.Event, ConversationActor.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "conversation");

  public static PersistenceId persistenceId(String conversationId) {
    return PersistenceId.of("Conversation", conversationId);
  }

  // ---------------------------------------------------------------------------------- commands

  public sealed interface Command extends JsonSerializable {}

  public record Send(
      String senderId,
      String clientMsgId,
      String content,
      String contentType,
      ActorRef<Outcome<SendAck>> replyTo)
      implements Command {}

  public record SendAck(String clientMsgId, String messageId, long seq, long serverTs)
      implements JsonSerializable {}

  public record Create(
      String creatorId, String title, List<String> members, ActorRef<Outcome<ConversationInfo>> replyTo)
      implements Command {}

  public record AddMembers(String requesterId, List<String> members, ActorRef<Outcome<Done>> replyTo)
      implements Command {}

  public record Leave(String userId, ActorRef<Outcome<Done>> replyTo) implements Command {}

  /** Membership-checked info; {@code userId} null skips the check (internal callers). */
  public record GetInfo(String userId, ActorRef<Outcome<ConversationInfo>> replyTo)
      implements Command {}

  /**
   * Where in the journal the newest {@code limit} messages before {@code beforeSeq} are, for a
   * reader. {@code userId} null skips the membership check (re-delivery of a user's own items).
   */
  public record LocateMessages(
      String userId, long beforeSeq, int limit, ActorRef<Outcome<Location>> replyTo)
      implements Command {}

  /**
   * Messages {@code fromSeq..toSeq} (empty when from > to): those below {@code hotFromSeq} are in
   * the {@code cold} segments, the others within the journal {@code range}.
   */
  public record Location(
      long fromSeq, long toSeq, List<Segment> cold, long hotFromSeq, JournalIndex.Range range)
      implements JsonSerializable {}

  /** From a member's UserActor: it has stored this conversation through {@code seq}. */
  public record HandedOff(String userId, long seq) implements Command {}

  /** From a member's UserActor: one of the member's devices acked through {@code seq}. */
  public record Delivered(String userId, long seq) implements Command {}

  /** From a member's UserActor: the member read through {@code seq}. */
  public record Read(String userId, long seq) implements Command {}

  public record Typing(String userId) implements Command {}

  /** Wakes a sleeping conversation (for the archive calendar): being started is the point. */
  public record WakeUp(String reason) implements Command {}

  enum Flush implements Command {
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

  record RetryLoaded(String userId, List<ChatMessage> messages) implements Command {}

  private record Watermark(String userId, ReceiptStatus status) {}

  // Archive runs (see ConversationArchiving): each step's result comes back as a command, so the
  // state is only ever changed by this actor, in order. `run` tells results of the current run
  // from late ones of a run cut short by a restart.
  record ArchiveLoaded(long run, long fromSeq, long cutoffTs, List<ConversationJournal.Written> loaded)
      implements Command {}

  record SegmentWritten(long run, ArchivePlan plan, String key) implements Command {}

  record ArchiveFailed(long run, String step, String cause) implements Command {}

  record TrimFinished(long throughSeqNr, boolean deleted) implements Command {}

  // ------------------------------------------------------------------------------------ events

  public sealed interface Event extends JsonSerializable {}

  public record DirectStarted(List<String> members, long ts) implements Event {}

  public record GroupCreated(String title, List<String> members, String creatorId, long ts)
      implements Event {}

  public record MembersAdded(List<String> members) implements Event {}

  public record MemberLeft(String userId) implements Event {}

  /**
   * Messages written together. {@code writeSeqNr} is the journal sequence number where the write
   * holding this event begins: the journal returns a multi-event write whole or not at all, so
   * the index must point a reader at its start.
   */
  public record MessagesAccepted(List<StoredMessage> messages, long writeSeqNr)
      implements Event {}

  public record HandoffsConfirmed(Map<String, Long> storedThrough) implements Event {}

  /** Kept for journals written before receipts were group-committed; see {@link ReceiptsRecorded}. */
  public record ReceiptRecorded(String userId, ReceiptStatus status, long seq) implements Event {}

  /** A member's receipt watermark, as one write records it. */
  public record Receipt(String userId, ReceiptStatus status, long seq) implements JsonSerializable {}

  /** Receipts that arrived during one write, recorded with the next. */
  public record ReceiptsRecorded(List<Receipt> receipts) implements Event {}

  /**
   * Messages {@code fromSeq..toSeq} are in S3 under {@code key}. Journal events before
   * {@code keepFromSeqNr} hold nothing hot and may be deleted once a snapshot holds this event.
   * {@code nextHotTs} is the oldest message still hot (0: none), which says when the next run is
   * due.
   */
  public record SegmentArchived(long fromSeq, long toSeq, String key, long nextHotTs, long keepFromSeqNr)
      implements Event {}

  /**
   * Persisted only after a crash interrupted an archive run between recording a segment and
   * deleting its events: it changes nothing but makes a snapshot, which must exist before the
   * deletion of the events through {@code throughSeqNr}.
   */
  public record TrimResumed(long throughSeqNr) implements Event {}

  /** The journal's events through {@code throughSeqNr} are deleted. */
  public record JournalTrimmed(long throughSeqNr) implements Event {}

  /**
   * The events of one group-committed write, stored as one journal item: DynamoDB bills, and
   * DynamoDB Local serializes, per item, so a write costs one item however much it carries.
   */
  public record Batch(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) List<Event> events)
      implements Event, EventBatches.Batch<Event> {}

  public record StoredMessage(
      long seq,
      String senderId,
      String clientMsgId,
      String content,
      String contentType,
      long serverTs)
      implements JsonSerializable {

    public ChatMessage toChatMessage(String conversationId) {
      return new ChatMessage(
          conversationId,
          seq,
          MessageIds.of(conversationId, seq, serverTs),
          senderId,
          clientMsgId,
          content,
          contentType,
          serverTs);
    }
  }

  // ------------------------------------------------------------------------------------- state

  public sealed interface State extends JsonSerializable {}

  /** Nothing stored yet: a group not created, or a direct conversation before its first send. */
  public record Empty() implements State {}

  /**
   * Per member: messages after {@code since} are theirs; {@code handedOff} is how far their
   * UserActor confirmed storing; {@code delivered}/{@code read} are the receipt watermarks.
   */
  public record Member(long since, long handedOff, long delivered, long read)
      implements JsonSerializable {
    Member withHandedOff(long seq) {
      return new Member(since, Math.max(handedOff, seq), delivered, read);
    }

    Member withReceipt(ReceiptStatus status, long seq) {
      return status == ReceiptStatus.DELIVERED
          ? new Member(since, handedOff, seq, read)
          : new Member(since, handedOff, delivered, seq);
    }
  }

  /** Mutable for speed; {@link #snapshotAdapter()} hands the snapshot store a copy. */
  public static final class Active implements State {
    public String title; // null for a direct conversation
    public LinkedHashMap<String, Member> members;
    public long lastSeq;
    public long lastMessageTs;
    public DedupWindow dedup;
    public JournalIndex index;
    public SenderRuns senders;
    /** The cold tier: which seqs are in S3 (they tile 1..cold.archivedThrough()). */
    public ColdSegments cold = new ColdSegments();
    /** serverTs of the oldest hot message; 0 when none is hot or it is unknown. */
    public long oldestHotTs;
    /** Journal events through this may be deleted; through trimmedThrough they are. */
    public long trimThrough;
    public long trimmedThrough;

    public Active() {}

    Active(String title, List<String> memberIds) {
      this.title = title;
      this.members = new LinkedHashMap<>();
      memberIds.forEach(id -> members.put(id, new Member(0, 0, 0, 0)));
      this.dedup = new DedupWindow();
      this.index = new JournalIndex();
      this.senders = new SenderRuns();
    }

    boolean isMember(String userId) {
      return members.containsKey(userId);
    }

    ConversationInfo info(String conversationId) {
      return new ConversationInfo(conversationId, title, List.copyOf(members.keySet()), lastSeq);
    }

    Active copy() {
      Active copy = new Active();
      copy.title = title;
      copy.members = new LinkedHashMap<>(members);
      copy.lastSeq = lastSeq;
      copy.lastMessageTs = lastMessageTs;
      copy.dedup = dedup.copy();
      copy.index = index.copy();
      copy.senders = senders.copy();
      copy.cold = cold.copy();
      copy.oldestHotTs = oldestHotTs;
      copy.trimThrough = trimThrough;
      copy.trimmedThrough = trimmedThrough;
      return copy;
    }
  }

  // ------------------------------------------------------------------------------------ wiring

  public static Behavior<Command> create(
      String conversationId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      Entities entities,
      ConversationJournal journal,
      ColdTier cold,
      ConversationSettings settings,
      Clock clock) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new ConversationActor(
                        conversationId, ctx, timers, shard, entities, journal, cold, settings, clock)));
  }

  private final String conversationId;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ClusterSharding.ShardCommand>
      shard;
  private final Entities entities;
  private final ConversationJournal journal;
  private final ColdTier cold;
  private final MessageReader reader;
  private final ConversationSettings settings;
  private final Clock clock;

  // Not state: sends waiting for the next write, and fan-out bookkeeping that is rebuilt (or
  // safely repeated) after a restart.
  private final ArrayDeque<Send> buffer = new ArrayDeque<>();
  /** Receipts waiting for the next write: the highest seq per member and status. */
  private final Map<Watermark, Long> receiptsWaiting = new LinkedHashMap<>();
  private long receiptsWaitingSinceMillis;
  private boolean flushScheduled;
  private final Map<String, Long> confirmedNotPersisted = new HashMap<>();
  /** Members whose UserActor reported less than it had confirmed: where re-sending starts. */
  private final Map<String, Long> reportedBehind = new HashMap<>();
  private final Map<String, Long> lastAttemptMillis = new HashMap<>();
  /** Per member still unconfirmed, how long until the next retry: doubled each time, so an
   *  overloaded member is not buried under re-reads of the journal. */
  private final Map<String, Long> retryDelayMillis = new HashMap<>();
  private long lastActivityMillis;
  private final ConversationArchiving archiving;
  private final ParleyMetrics.RunningEntity running = new ParleyMetrics.RunningEntity(TYPE_KEY.name());

  private ConversationActor(
      String conversationId,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ActorRef<ClusterSharding.ShardCommand> shard,
      Entities entities,
      ConversationJournal journal,
      ColdTier cold,
      ConversationSettings settings,
      Clock clock) {
    super(persistenceId(conversationId), PersistenceFailures.restartWithBackoff());
    this.conversationId = conversationId;
    this.ctx = ctx;
    this.timers = timers;
    this.shard = shard;
    this.entities = entities;
    this.journal = journal;
    this.cold = cold;
    this.reader = new MessageReader(journal, cold);
    this.settings = settings;
    this.clock = clock;
    this.archiving = new ConversationArchiving(
        conversationId, ctx, Effect(), () -> lastSequenceNumber(ctx), journal, cold, entities, settings.archive(), clock);
    this.lastActivityMillis = clock.millis();
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
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              running.started();
              timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.handoffRetryInterval());
              archiving.recovered();
            })
        // A restart after a journal failure recovers again: count each run once.
        .onSignal(PreRestart.instance(), state -> running.stopped())
        .onSignal(PostStop.instance(), state -> running.stopped())
        .onSignal(SnapshotCompleted.class, (state, done) -> archiving.snapshotted(state, done.metadata().sequenceNr()))
        .onSignal(SnapshotFailed.class, (state, failed) -> archiving.snapshotFailed(failed.getFailure()))
        .build();
  }

  // ---------------------------------------------------------------------------- command handler

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    var builder = newCommandHandlerBuilder();
    builder
        .forStateType(Empty.class)
        .onCommand(Create.class, this::onCreate)
        .onCommand(
            GetInfo.class,
            (state, cmd) -> replyForEmpty(cmd.userId(), cmd.replyTo(), members -> 
                Outcome.ok(new ConversationInfo(conversationId, null, members, 0))))
        .onCommand(
            LocateMessages.class,
            (state, cmd) -> replyForEmpty(cmd.userId(), cmd.replyTo(), members ->
                Outcome.ok(new Location(1, 0, List.of(), 1, new JournalIndex.Range(1, 1)))))
        .onCommand(AddMembers.class, (state, cmd) -> replyNotFound(cmd.replyTo()))
        .onCommand(Leave.class, (state, cmd) -> replyNotFound(cmd.replyTo()));
    builder
        .forStateType(Active.class)
        .onCommand(Create.class, this::onCreateExisting)
        .onCommand(GetInfo.class, this::onGetInfo)
        .onCommand(LocateMessages.class, this::onLocate)
        .onCommand(AddMembers.class, this::onAddMembers)
        .onCommand(Leave.class, this::onLeave)
        .onCommand(HandedOff.class, this::onHandedOff)
        .onCommand(Delivered.class, (state, cmd) -> onReceipt(state, cmd.userId(), ReceiptStatus.DELIVERED, cmd.seq()))
        .onCommand(Read.class, (state, cmd) -> onReceipt(state, cmd.userId(), ReceiptStatus.READ, cmd.seq()))
        .onCommand(Typing.class, this::onTyping)
        .onCommand(RetryLoaded.class, this::onRetryLoaded)
        .onCommand(ArchiveLoaded.class, (state, loaded) -> archiving.onLoaded(state, loaded))
        .onCommand(SegmentWritten.class, (state, written) -> archiving.onSegmentWritten(state, written))
        .onCommand(TrimFinished.class, (state, trimmed) -> archiving.onTrimFinished(trimmed));
    builder
        .forAnyState()
        .onCommand(Send.class, this::onSend)
        .onCommand(Flush.class, this::onFlush)
        .onCommand(Tick.class, this::onTick)
        .onCommand(WakeUp.class, (state, cmd) -> Effect().none())
        .onCommand(Stop.class, (state, cmd) -> Effect().stop())
        .onCommand(ArchiveFailed.class, (state, failed) -> archiving.onFailed(failed))
        // Receipts, hand-offs and typing for a conversation that has nothing stored are stale.
        .onAnyCommand((state, cmd) -> Effect().none());
    return builder.build();
  }

  private <T> Effect<Event, State> replyForEmpty(
      String userId, ActorRef<Outcome<T>> replyTo, java.util.function.Function<List<String>, Outcome<T>> ok) {
    touch();
    Optional<List<String>> members =
        userId == null ? Optional.of(List.of()) : ConversationIds.directMembers(conversationId, userId);
    if (members.isPresent()) {
      replyTo.tell(ok.apply(members.get()));
    } else if (ConversationIds.isDirect(conversationId)) {
      replyTo.tell(notMember(userId));
    } else {
      replyTo.tell(Outcome.rejected(Reason.NOT_FOUND, "no conversation " + conversationId));
    }
    return Effect().none();
  }

  private <T> Effect<Event, State> replyNotFound(ActorRef<Outcome<T>> replyTo) {
    replyTo.tell(Outcome.rejected(Reason.NOT_FOUND, "no conversation " + conversationId));
    return Effect().none();
  }

  private <T> Outcome<T> notMember(String userId) {
    return Outcome.rejected(
        Reason.NOT_MEMBER, userId + " is not a member of " + conversationId);
  }

  private Effect<Event, State> onCreate(Empty state, Create cmd) {
    touch();
    if (!ConversationIds.isGroup(conversationId)) {
      cmd.replyTo().tell(Outcome.rejected(Reason.BAD_REQUEST, "only groups are created explicitly"));
      return Effect().none();
    }
    List<String> members = new ArrayList<>();
    members.add(cmd.creatorId());
    cmd.members().stream().filter(m -> !members.contains(m)).forEach(members::add);
    if (members.size() > settings.maxGroupMembers()) {
      cmd.replyTo().tell(tooManyMembers());
      return Effect().none();
    }
    return Effect()
        .persist(new GroupCreated(cmd.title(), members, cmd.creatorId(), clock.millis()))
        .thenRun(
            (State newState) -> {
              Active active = (Active) newState;
              cmd.replyTo().tell(Outcome.ok(active.info(conversationId)));
              announceMembership(active, List.of());
            });
  }

  private <T> Outcome<T> tooManyMembers() {
    return Outcome.rejected(
        Reason.BAD_REQUEST, "a group has at most " + settings.maxGroupMembers() + " members");
  }

  private Effect<Event, State> onCreateExisting(Active state, Create cmd) {
    cmd.replyTo().tell(Outcome.rejected(Reason.BAD_REQUEST, conversationId + " already exists"));
    return Effect().none();
  }

  private Effect<Event, State> onGetInfo(Active state, GetInfo cmd) {
    touch();
    if (cmd.userId() != null && !state.isMember(cmd.userId())) {
      cmd.replyTo().tell(notMember(cmd.userId()));
    } else {
      cmd.replyTo().tell(Outcome.ok(state.info(conversationId)));
    }
    return Effect().none();
  }

  private Effect<Event, State> onLocate(Active state, LocateMessages cmd) {
    touch();
    if (cmd.userId() != null && !state.isMember(cmd.userId())) {
      cmd.replyTo().tell(notMember(cmd.userId()));
    } else {
      long to = Math.min(cmd.beforeSeq() - 1, state.lastSeq);
      long from = Math.max(1, to - cmd.limit() + 1);
      cmd.replyTo().tell(Outcome.ok(locate(state, from, to)));
    }
    return Effect().none();
  }

  /** Where messages {@code from..to} are: cold segments first, then a journal range. */
  private Location locate(Active state, long from, long to) {
    long archived = state.cold.archivedThrough();
    List<Segment> coldPart = from <= archived && from <= to
        ? state.cold.overlapping(from, Math.min(to, archived))
        : List.of();
    long hotFrom = Math.max(from, archived + 1);
    JournalIndex.Range range = hotFrom <= to
        ? state.index.locate(hotFrom, to, lastSequenceNumber(ctx))
        : new JournalIndex.Range(1, 1);
    return new Location(from, to, coldPart, hotFrom, range);
  }

  private Effect<Event, State> onAddMembers(Active state, AddMembers cmd) {
    touch();
    if (!state.isMember(cmd.requesterId())) {
      cmd.replyTo().tell(notMember(cmd.requesterId()));
      return Effect().none();
    }
    if (state.title == null) {
      cmd.replyTo().tell(Outcome.rejected(Reason.BAD_REQUEST, "a direct conversation has fixed members"));
      return Effect().none();
    }
    List<String> added = cmd.members().stream().distinct().filter(m -> !state.isMember(m)).toList();
    if (state.members.size() + added.size() > settings.maxGroupMembers()) {
      cmd.replyTo().tell(tooManyMembers());
      return Effect().none();
    }
    if (added.isEmpty()) {
      cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
      return Effect().none();
    }
    return Effect()
        .persist(new MembersAdded(added))
        .thenRun(
            (State newState) -> {
              cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
              announceMembership((Active) newState, List.of());
            });
  }

  private Effect<Event, State> onLeave(Active state, Leave cmd) {
    touch();
    if (!state.isMember(cmd.userId())) {
      cmd.replyTo().tell(notMember(cmd.userId()));
      return Effect().none();
    }
    if (state.title == null) {
      cmd.replyTo().tell(Outcome.rejected(Reason.BAD_REQUEST, "cannot leave a direct conversation"));
      return Effect().none();
    }
    return Effect()
        .persist(new MemberLeft(cmd.userId()))
        .thenRun(
            (State newState) -> {
              cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
              announceMembership((Active) newState, List.of(cmd.userId()));
            });
  }

  /** Tells current members (and those who just left) the conversation's new membership. */
  private void announceMembership(Active state, List<String> formerMembers) {
    ConversationInfo info = state.info(conversationId);
    for (String member : state.members.keySet()) {
      entities.user(member).tell(new UserActor.ConversationChanged(info, state.lastMessageTs));
    }
    for (String former : formerMembers) {
      entities.user(former).tell(new UserActor.ConversationChanged(info, state.lastMessageTs));
    }
  }

  private Effect<Event, State> onSend(State state, Send cmd) {
    touch();
    if (buffer.size() >= settings.maxBufferedSends()) {
      cmd.replyTo()
          .tell(Outcome.rejected(Reason.UNAVAILABLE, conversationId + " is overloaded, retry later"));
      return Effect().none();
    }
    buffer.add(cmd);
    scheduleFlush();
    return Effect().none();
  }

  /**
   * Group commit: sends, receipts and hand-off confirmations that arrive while a write is in
   * flight wait (Pekko stashes commands during a write), and the next flush stores them together.
   */
  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      ctx.getSelf().tell(Flush.INSTANCE);
    }
  }

  /**
   * One write: the waiting sends (up to a bound in count and bytes, so that neither the stored
   * event nor a member's hand-off outgrows its limits), the receipts and the hand-off
   * confirmations. Sends are acked, and receipts sent, once it is stored.
   */
  private Effect<Event, State> onFlush(State state, Flush flush) {
    flushScheduled = false;
    List<Send> sends = takeSends();
    ParleyMetrics.groupCommit(TYPE_KEY.name(), sends.size() + receiptsWaiting.size());
    if (!buffer.isEmpty()) {
      scheduleFlush();
    }
    List<Event> events = new ArrayList<>();
    List<Runnable> replies = new ArrayList<>();

    Active active;
    if (state instanceof Active existing) {
      active = existing;
    } else {
      receiptsWaiting.clear(); // nothing stored yet: nothing to receipt
      Optional<List<String>> direct =
          sends.stream()
              .map(send -> ConversationIds.directMembers(conversationId, send.senderId()))
              .flatMap(Optional::stream)
              .findFirst();
      if (direct.isEmpty()) {
        for (Send send : sends) {
          Outcome<SendAck> refusal =
              ConversationIds.isDirect(conversationId)
                  ? notMember(send.senderId())
                  : Outcome.rejected(Reason.NOT_FOUND, "no conversation " + conversationId);
          send.replyTo().tell(refusal);
        }
        return Effect().none();
      }
      events.add(new DirectStarted(direct.get(), clock.millis()));
      active = new Active(null, direct.get());
    }

    List<StoredMessage> stored = acceptSends(active, sends, replies);
    if (!stored.isEmpty()) {
      events.add(new MessagesAccepted(stored, lastSequenceNumber(ctx) + 1));
    }
    List<Runnable> receiptNotices = new ArrayList<>();
    List<Receipt> receipts = takeReceipts(active, receiptNotices);
    if (!receipts.isEmpty()) {
      events.add(new ReceiptsRecorded(receipts));
    }
    if (!events.isEmpty() && !confirmedNotPersisted.isEmpty()) {
      // Confirmations ride along with a write that happens anyway.
      events.add(new HandoffsConfirmed(Map.copyOf(confirmedNotPersisted)));
      confirmedNotPersisted.clear();
    }
    if (events.isEmpty()) {
      replies.forEach(Runnable::run);
      return Effect().none();
    }
    long writeStarted = System.nanoTime();
    return Effect()
        .persist(EventBatches.persistable(events, Batch::new))
        .thenRun(
            (State newState) -> {
              replies.forEach(Runnable::run);
              // Persisted before it is sent: a crash in between loses a receipt rather than
              // repeating one.
              receiptNotices.forEach(Runnable::run);
              ParleyMetrics.persisted(Duration.ofNanos(System.nanoTime() - writeStarted));
              ParleyMetrics.messagesAccepted(stored.size());
              if (!stored.isEmpty()) {
                fanOut((Active) newState, stored);
              }
            });
  }

  /** The oldest waiting sends that fit one write: always one, then up to the bounds. */
  private List<Send> takeSends() {
    List<Send> taken = new ArrayList<>();
    long bytes = 0;
    while (!buffer.isEmpty() && taken.size() < MAX_SENDS_PER_WRITE) {
      long size = approximateBytes(buffer.peek());
      if (!taken.isEmpty() && bytes + size > MAX_BYTES_PER_WRITE) {
        break;
      }
      bytes += size;
      taken.add(buffer.poll());
    }
    return taken;
  }

  static long approximateBytes(Send send) {
    return approximateBytes(send.content(), send.clientMsgId(), send.senderId());
  }

  /** An upper bound of a message's stored size: UTF-8 takes at most 3 bytes per Java char. */
  static long approximateBytes(String content, String clientMsgId, String senderId) {
    return 3L * (content.length() + clientMsgId.length() + senderId.length()) + MESSAGE_OVERHEAD_BYTES;
  }

  /** Numbers the new messages of {@code sends}; repeats and non-members get their answer. */
  private List<StoredMessage> acceptSends(Active active, List<Send> sends, List<Runnable> replies) {
    long seq = active.lastSeq;
    long ts = Math.max(clock.millis(), active.lastMessageTs);
    Map<Long, SendAck> acceptedNow = new HashMap<>();
    List<StoredMessage> stored = new ArrayList<>();
    for (Send send : sends) {
      if (!active.isMember(send.senderId())) {
        replies.add(() -> send.replyTo().tell(notMember(send.senderId())));
        continue;
      }
      long key = DedupWindow.key(send.senderId(), send.clientMsgId());
      SendAck earlier =
          Optional.ofNullable(acceptedNow.get(key))
              .or(() -> active.dedup.find(key).map(e -> ack(send.clientMsgId(), e.seq(), e.serverTs())))
              .orElse(null);
      if (earlier != null) {
        replies.add(() -> send.replyTo().tell(Outcome.ok(earlier)));
        continue;
      }
      seq++;
      SendAck ack = ack(send.clientMsgId(), seq, ts);
      acceptedNow.put(key, ack);
      stored.add(
          new StoredMessage(seq, send.senderId(), send.clientMsgId(), send.content(), send.contentType(), ts));
      replies.add(() -> send.replyTo().tell(Outcome.ok(ack)));
    }
    return stored;
  }

  /**
   * The waiting receipts that move a member's watermark, and the notices to their messages'
   * senders (sent once recorded; a member's own messages get none).
   */
  private List<Receipt> takeReceipts(Active active, List<Runnable> notices) {
    List<Receipt> receipts = new ArrayList<>();
    receiptsWaiting.forEach((watermark, seq) -> {
      Member member = active.members.get(watermark.userId());
      if (member == null) {
        return;
      }
      long previous = watermark.status() == ReceiptStatus.DELIVERED ? member.delivered() : member.read();
      long upTo = Math.min(seq, active.lastSeq);
      if (upTo <= previous) {
        return;
      }
      receipts.add(new Receipt(watermark.userId(), watermark.status(), upTo));
      var senders = active.senders.sendersBetween(previous, upTo);
      DeviceEvent receipt = new DeviceEvent.Receipt(conversationId, upTo, watermark.userId(), watermark.status());
      notices.add(() -> senders.stream()
          .filter(sender -> !sender.equals(watermark.userId()))
          .forEach(sender -> entities.user(sender).tell(new UserActor.Notify(receipt))));
    });
    receiptsWaiting.clear();
    return receipts;
  }

  private SendAck ack(String clientMsgId, long seq, long serverTs) {
    return new SendAck(clientMsgId, MessageIds.of(conversationId, seq, serverTs), seq, serverTs);
  }

  private void fanOut(Active state, List<StoredMessage> stored) {
    List<ChatMessage> messages = stored.stream().map(m -> m.toChatMessage(conversationId)).toList();
    ConversationInfo info = state.info(conversationId);
    long now = clock.millis();
    state.members.forEach(
        (userId, member) -> {
          List<ChatMessage> theirs = messages.stream().filter(m -> m.seq() > member.since()).toList();
          if (!theirs.isEmpty()) {
            lastAttemptMillis.put(userId, now);
            entities.user(userId).tell(new UserActor.Deliver(info, member.since(), theirs));
          }
        });
  }

  private Effect<Event, State> onHandedOff(Active state, HandedOff cmd) {
    Member member = state.members.get(cmd.userId());
    if (member == null) {
      return Effect().none();
    }
    long confirmed = confirmedThrough(cmd.userId(), member);
    if (cmd.seq() < confirmed) {
      // The member's UserActor is the authority on what it stored: it reports less than it once
      // confirmed, so it is re-sent from there rather than left with a gap it can never close.
      if (reportedBehind.put(cmd.userId(), cmd.seq()) == null) {
        ctx.getLog().warn("{} reports {} stored through {}, below the {} it confirmed; re-sending",
            cmd.userId(), conversationId, cmd.seq(), confirmed);
      }
      return Effect().none();
    }
    reportedBehind.remove(cmd.userId());
    if (cmd.seq() > member.handedOff()) {
      confirmedNotPersisted.merge(cmd.userId(), cmd.seq(), Math::max);
      retryDelayMillis.remove(cmd.userId());
    }
    return Effect().none();
  }

  /** Receipts are cumulative: only the highest per member and status waits for the write. */
  private Effect<Event, State> onReceipt(Active state, String userId, ReceiptStatus status, long seq) {
    touch();
    Member member = state.members.get(userId);
    if (member == null) {
      return Effect().none();
    }
    long previous = status == ReceiptStatus.DELIVERED ? member.delivered() : member.read();
    if (Math.min(seq, state.lastSeq) <= previous) {
      return Effect().none();
    }
    if (receiptsWaiting.isEmpty()) {
      receiptsWaitingSinceMillis = clock.millis();
    }
    receiptsWaiting.merge(new Watermark(userId, status), seq, Math::max);
    // A receipt that tells nobody anything (a member's devices acking or reading the member's
    // own messages) costs no write of its own: it rides along with the next one, or the tick's.
    boolean notifiesOthers = state.senders.sendersBetween(previous, Math.min(seq, state.lastSeq)).stream()
        .anyMatch(sender -> !sender.equals(userId));
    if (notifiesOthers) {
      scheduleFlush();
    }
    return Effect().none();
  }

  private Effect<Event, State> onTyping(Active state, Typing cmd) {
    if (state.isMember(cmd.userId())) {
      DeviceEvent typing = new DeviceEvent.Typing(conversationId, cmd.userId());
      state.members.keySet().stream()
          .filter(member -> !member.equals(cmd.userId()))
          .forEach(member -> entities.user(member).tell(new UserActor.Notify(typing)));
    }
    return Effect().none();
  }

  /**
   * Periodic work: persist hand-off confirmations, re-send what members have not confirmed, move
   * old messages to the cold tier, and passivate once idle with nothing left owed.
   */
  private Effect<Event, State> onTick(State state, Tick tick) {
    if (!(state instanceof Active active)) {
      return idle() ? passivate(state) : Effect().none();
    }
    if (!receiptsWaiting.isEmpty()
        && clock.millis() - receiptsWaitingSinceMillis >= settings.handoffRetryInterval().toMillis()) {
      scheduleFlush(); // receipts that waited long enough for a write; it carries the confirmations too
    } else if (!confirmedNotPersisted.isEmpty()) {
      Map<String, Long> confirmed = Map.copyOf(confirmedNotPersisted);
      confirmedNotPersisted.clear();
      return Effect().persist(new HandoffsConfirmed(confirmed)).thenRun(newState -> retryHandoffs((Active) newState));
    }
    retryHandoffs(active);
    Optional<Effect<Event, State>> archiveStep = archiving.onTick(active);
    if (archiveStep.isPresent()) {
      return archiveStep.get();
    }
    if (idle() && allHandedOff(active) && archiving.idle()) {
      return passivate(active);
    }
    return Effect().none();
  }

  private boolean idle() {
    return buffer.isEmpty() && receiptsWaiting.isEmpty()
        && clock.millis() - lastActivityMillis >= settings.passivateAfterIdle().toMillis();
  }

  private Effect<Event, State> passivate(State state) {
    archiving.beforeSleeping(state);
    shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    return Effect().none();
  }

  private boolean allHandedOff(Active state) {
    return reportedBehind.isEmpty() && state.members.values().stream()
        .allMatch(m -> Math.max(m.handedOff(), m.since()) >= state.lastSeq);
  }

  /** How far a member is known to have stored this conversation: re-sending starts after it. */
  private long handedOffThrough(String userId, Member member) {
    Long behind = reportedBehind.get(userId);
    return behind != null ? Math.max(member.since(), behind) : confirmedThrough(userId, member);
  }

  /** How far a member's UserActor has confirmed storing this conversation. */
  private long confirmedThrough(String userId, Member member) {
    return Math.max(member.since(), Math.max(member.handedOff(), confirmedNotPersisted.getOrDefault(userId, 0L)));
  }

  private static final int RETRY_BATCH = 200;
  /** Bounds of one write's messages: one DynamoDB item holds at most 400 KB, and a hand-off to a
   *  member on another node must fit a remoting frame (256 KiB). */
  static final int MAX_SENDS_PER_WRITE = 256;
  static final long MAX_BYTES_PER_WRITE = 64 * 1024;
  static final long MESSAGE_OVERHEAD_BYTES = 160;
  static final long MAX_RETRY_DELAY_MILLIS = 30_000;

  private void retryHandoffs(Active state) {
    long now = clock.millis();
    state.members.forEach(
        (userId, member) -> {
          long through = handedOffThrough(userId, member);
          long lastAttempt = lastAttemptMillis.getOrDefault(userId, 0L);
          long delay = retryDelayMillis.getOrDefault(userId, settings.handoffRetryInterval().toMillis());
          if (through >= state.lastSeq || now - lastAttempt < delay) {
            return;
          }
          lastAttemptMillis.put(userId, now);
          retryDelayMillis.put(userId, Math.min(2 * delay, MAX_RETRY_DELAY_MILLIS));
          long from = through + 1;
          long to = Math.min(state.lastSeq, through + RETRY_BATCH);
          ctx.pipeToSelf(
              reader.read(conversationId, locate(state, from, to)),
              (messages, failure) -> {
                if (failure != null) {
                  ctx.getLog().warn("Reading {} {}..{} to re-send to {} failed, retried later: {}",
                      conversationId, from, to, userId, failure.toString());
                }
                return new RetryLoaded(userId, failure == null ? messages : List.of());
              });
        });
  }

  private Effect<Event, State> onRetryLoaded(Active state, RetryLoaded loaded) {
    Member member = state.members.get(loaded.userId());
    if (member != null && !loaded.messages().isEmpty()) {
      // In hand-offs no larger than a write's, so each fits a remoting frame.
      ConversationInfo info = state.info(conversationId);
      List<ChatMessage> chunk = new ArrayList<>();
      long bytes = 0;
      for (ChatMessage m : loaded.messages()) {
        long size = approximateBytes(m.content(), m.clientMsgId(), m.senderId());
        if (!chunk.isEmpty() && bytes + size > MAX_BYTES_PER_WRITE) {
          entities.user(loaded.userId()).tell(new UserActor.Deliver(info, member.since(), chunk));
          chunk = new ArrayList<>();
          bytes = 0;
        }
        chunk.add(m);
        bytes += size;
      }
      entities.user(loaded.userId()).tell(new UserActor.Deliver(info, member.since(), chunk));
    }
    return Effect().none();
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
    var builder = newEventHandlerBuilder();
    builder
        .forAnyState()
        .onEvent(Batch.class, (state, batch) -> EventBatches.applyAll(eventHandler, state, batch.events()));
    builder
        .forStateType(Empty.class)
        .onEvent(DirectStarted.class, (state, e) -> new Active(null, e.members()))
        .onEvent(GroupCreated.class, (state, e) -> new Active(e.title(), e.members()));
    builder
        .forStateType(Active.class)
        .onEvent(
            MembersAdded.class,
            (state, e) -> {
              e.members().forEach(m -> state.members.put(m, new Member(state.lastSeq, state.lastSeq, state.lastSeq, state.lastSeq)));
              return state;
            })
        .onEvent(
            MemberLeft.class,
            (state, e) -> {
              state.members.remove(e.userId());
              return state;
            })
        .onEvent(MessagesAccepted.class, this::applyMessages)
        .onEvent(SegmentArchived.class, ConversationActor::applySegmentArchived)
        .onEvent(
            JournalTrimmed.class,
            (state, e) -> {
              state.trimmedThrough = Math.max(state.trimmedThrough, e.throughSeqNr());
              return state;
            })
        .onEvent(
            HandoffsConfirmed.class,
            (state, e) -> {
              e.storedThrough().forEach((userId, seq) -> state.members.computeIfPresent(userId, (id, m) -> m.withHandedOff(seq)));
              return state;
            })
        .onEvent(
            ReceiptRecorded.class,
            (state, e) -> applyReceipts(state, List.of(new Receipt(e.userId(), e.status(), e.seq()))))
        .onEvent(ReceiptsRecorded.class, (state, e) -> applyReceipts(state, e.receipts()))
        // Events of the Empty state never repeat on an Active one.
        .onAnyEvent((state, e) -> state);
    return builder.build();
  }

  private static State applyReceipts(Active state, List<Receipt> receipts) {
    for (Receipt r : receipts) {
      state.members.computeIfPresent(r.userId(), (id, m) -> m.withReceipt(r.status(), r.seq()));
    }
    state.senders.trimThrough(
        state.members.values().stream().mapToLong(m -> Math.min(m.delivered(), m.read())).min().orElse(0));
    return state;
  }

  private static State applySegmentArchived(Active state, SegmentArchived e) {
    state.cold.add(new Segment(e.fromSeq(), e.toSeq()));
    boolean hotRemain = state.lastSeq > e.toSeq();
    state.index.archivedThrough(e.toSeq(), hotRemain, e.keepFromSeqNr());
    state.oldestHotTs = hotRemain ? e.nextHotTs() : 0;
    state.trimThrough = Math.max(state.trimThrough, e.keepFromSeqNr() - 1);
    return state;
  }

  private State applyMessages(Active state, MessagesAccepted e) {
    if (state.lastSeq == state.cold.archivedThrough()) {
      state.oldestHotTs = e.messages().get(0).serverTs();
    }
    for (StoredMessage m : e.messages()) {
      state.lastSeq = m.seq();
      state.lastMessageTs = m.serverTs();
      state.dedup.add(
          DedupWindow.key(m.senderId(), m.clientMsgId()),
          new DedupWindow.Entry(m.seq(), m.serverTs()),
          settings.dedupWindow().toMillis(),
          settings.dedupMaxEntries());
      state.senders.append(m.seq(), m.senderId());
    }
    state.index.record(e.messages().get(0).seq(), e.writeSeqNr());
    return state;
  }
}
