package io.parley.conversation;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.cluster.CopyingSnapshotAdapter;
import io.parley.cluster.EventBatches;
import io.parley.cluster.HandlerTable;
import io.parley.cluster.HandlerTable.Handler;
import io.parley.cluster.JsonSerializable;
import io.parley.cluster.EntityLifecycle;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.Empty;
import io.parley.conversation.ConversationState.State;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
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
 * This file is its protocol (commands, events), its command and event handler tables and the
 * wiring, as in Pekko's ShoppingCart sample; the handlers' logic lives in the jobs. The protocol
 * alone runs to some 300 lines and cannot move: journals and other nodes name its classes
 * {@code ConversationActor$X}, and its sealed interfaces admit only records of this file. That is
 * why the file runs past 400 lines. The jobs:
 *
 * <ul>
 *   <li>{@link ConversationWrites}: the send path. Sends, receipts and confirmations wait while a write
 *       is in flight; the next {@link Flush} stores them in one write, acked once it is stored.
 *   <li>{@link SendBatch}: the sends waiting, and their numbering; {@link ReceiptsWaiting}: receipts.
 *   <li>{@link MemberHandoffs}: at-least-once fan-out to members' UserActors, re-sent until they
 *       confirm storing it.
 *   <li>{@link Membership}: groups, members, and who may see what.
 *   <li>{@link Upkeep}: the periodic {@link Tick}'s work, and sleeping once idle.
 *   <li>{@link TypingRelay}: typing, told to the other members and never stored.
 *   <li>{@link ArchiveRuns}: runs that move old messages to the cold tier (S3), from the archive package.
 *   <li>{@link DedupOverflow}: idempotency keys beyond what the state holds, in the dedup table.
 *   <li>{@link MessageDeletion}: messages deleted for everyone by their sender ({@link DeletedMessages}).
 *   <li>{@link MemberErasure}: an erased account's messages read as tombstones.
 *   <li>Large groups (from {@code large-group-from} members, after {@link BecameLarge}: a state of
 *       their own, with its own command table): {@link LargeMembers} keeps their members as rows,
 *       {@link ReadMarks} their read marks, {@link GroupRelays} tells the nodes where members are
 *       connected, {@link ReceiptTally} counts receipts, {@link MentionPushes} pushes those mentioned.
 *   <li>{@link ConversationState}: the state, built only by the pure event handler at the end.
 * </ul>
 */
public final class ConversationActor
    extends EventSourcedBehavior<
        ConversationActor.Command, ConversationActor.Event, ConversationState.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "conversation");

  public static PersistenceId persistenceId(String conversationId) {
    return PersistenceId.of("Conversation", conversationId);
  }

  // ---------------------------------------------------------------------------------- commands

  public sealed interface Command extends JsonSerializable {}

  /** A command answered with an {@link Outcome}: it can be refused whatever it asked (see {@link Refusals}). */
  interface Answered {
    ActorRef<? extends Outcome<?>> replyTo();
  }

  /** A command for a user whose membership it checks (null: an internal caller, no check). */
  interface ForUser {
    String userId();
  }

  /** A command by a requester whose membership (and role) it checks. */
  interface ByRequester {
    String requesterId();
  }

  /**
   * {@code content} and {@code preview} sealed under {@code keyId} (see {@link ChatMessage});
   * {@code mentions}: members to wake with a push in a large group ({@value #MENTION_ALL}: every
   * member, when an owner or admin sends it), where no one else is pushed.
   */
  public record Send(
      String senderId,
      String clientMsgId,
      String content,
      String contentType,
      String keyId,
      String preview,
      List<String> mentions,
      ActorRef<Outcome<SendAck>> replyTo)
      implements Command, Answered {

    public Send {
      mentions = mentions == null ? List.of() : mentions; // null from nodes that predate mentions
    }

    public Send(String senderId, String clientMsgId, String content, String contentType, String keyId,
        String preview, ActorRef<Outcome<SendAck>> replyTo) {
      this(senderId, clientMsgId, content, contentType, keyId, preview, List.of(), replyTo);
    }

    /** A send of plain text. */
    public Send(String senderId, String clientMsgId, String content, String contentType,
        ActorRef<Outcome<SendAck>> replyTo) {
      this(senderId, clientMsgId, content, contentType, null, null, replyTo);
    }
  }

  public static final String MENTION_ALL = "@all";

  /**
   * {@code toSenderStream}: the message is new and its copy is on its way into the sender's own
   * delivery stream (not so for a repeat, or in a large group), whose write the sender's
   * connection may wait for (see {@code UserActor.Sync}).
   */
  public record SendAck(String clientMsgId, String messageId, long seq, long serverTs, boolean toSenderStream)
      implements JsonSerializable {

    /** How a repeat of this send is answered: the same message, and no copy on its way. */
    public SendAck asRepeat() {
      return new SendAck(clientMsgId, messageId, seq, serverTs, false);
    }
  }

  public record Create(
      String creatorId, String title, List<String> members, ActorRef<Outcome<ConversationInfo>> replyTo)
      implements Command, Answered {}

  public record AddMembers(String requesterId, List<String> members, ActorRef<Outcome<Done>> replyTo)
      implements Command, ByRequester, Answered {}

  public record Leave(String userId, ActorRef<Outcome<Done>> replyTo)
      implements Command, ForUser, Answered {}

  /** An owner or admin removes members (see {@link GroupAdmin}). */
  public record RemoveMembers(String requesterId, List<String> members, ActorRef<Outcome<Done>> replyTo)
      implements Command, ByRequester, Answered {}

  /** The owner makes a member an admin, or an admin a member again. */
  public record SetRole(String requesterId, String userId, boolean admin, ActorRef<Outcome<Done>> replyTo)
      implements Command, ByRequester, ForUser, Answered {}

  /** An owner or admin lets only admins post (an announcement channel), or everyone again. */
  public record SetPosting(String requesterId, boolean adminsOnly, ActorRef<Outcome<Done>> replyTo)
      implements Command, ByRequester, Answered {}

  /** Membership-checked info; {@code userId} null skips the check (internal callers). */
  public record GetInfo(String userId, ActorRef<Outcome<ConversationInfo>> replyTo)
      implements Command, ForUser, Answered {}

  /** A page of the members, by user id after {@code after} (null: from the first), for a member. */
  public record GetMembers(String userId, String after, int limit, ActorRef<Outcome<MemberPage>> replyTo)
      implements Command, ForUser, Answered {}

  /** {@code role}: "owner", "admin" or "member"; {@code nextAfter} null on the last page. */
  public record MemberPage(List<MemberRole> members, String nextAfter) implements JsonSerializable {}

  public record MemberRole(String userId, String role) implements JsonSerializable {}

  /** The receipts a member gave: how far they acked (delivered) and read, for their export. */
  public record GetReceiptsGiven(String userId, ActorRef<Outcome<ReceiptsGiven>> replyTo)
      implements Command, ForUser, Answered {}

  public record ReceiptsGiven(long deliveredSeq, long readSeq) implements JsonSerializable {}

  /**
   * Where in the journal the newest {@code limit} messages before {@code beforeSeq} are, for a
   * reader. {@code userId} null skips the membership check (re-delivery of a user's own items).
   */
  public record LocateMessages(
      String userId, long beforeSeq, int limit, ActorRef<Outcome<Location>> replyTo)
      implements Command, ForUser, Answered {}

  /**
   * Messages {@code fromSeq..toSeq} (empty when from > to): those below {@code hotFromSeq} are in
   * the {@code cold} segments, the others within the journal {@code range}; those in
   * {@code deleted} read as tombstones (null from nodes that predate deletion: none), and so do
   * those of an {@code erased} sender at or below its seq (null from older nodes: none).
   */
  public record Location(long fromSeq, long toSeq, List<Segment> cold, long hotFromSeq, JournalIndex.Range range,
      List<Long> deleted, Map<String, Long> erased, long firstSeq) implements JsonSerializable {
    public Location {
      deleted = deleted == null ? List.of() : deleted;
      erased = erased == null ? Map.of() : erased;
      firstSeq = Math.max(1, firstSeq); // 0 from nodes that predate it: every message is the reader's
    }

    public Location(long fromSeq, long toSeq, List<Segment> cold, long hotFromSeq, JournalIndex.Range range,
        List<Long> deleted, Map<String, Long> erased) {
      this(fromSeq, toSeq, cold, hotFromSeq, range, deleted, erased, 1);
    }

    /** Whether the reader has messages before this page. */
    public boolean hasEarlier() {
      return fromSeq > firstSeq;
    }
  }

  /**
   * Deletes one of {@code userId}'s messages for everyone: it reads as a tombstone from then on,
   * and every member's devices are told. Deleting it again answers the same.
   */
  public record Delete(String userId, long seq, ActorRef<Outcome<Done>> replyTo)
      implements Command, ForUser, Answered {}

  /** The user's account is erased: their messages read as tombstones and they leave (see {@link MemberErasure}). */
  public record EraseMember(String userId, ActorRef<Outcome<Done>> replyTo)
      implements Command, ForUser, Answered {}

  /** From a member's UserActor: stored through {@code seq}, holding membership {@code fingerprint} (0: not said). */
  public record HandedOff(String userId, long seq, long fingerprint) implements Command {}

  /** From a user's UserActor: it stored the membership {@code fingerprint} names (see {@link MembershipNotices}). */
  public record MembershipHeld(String userId, long fingerprint) implements Command {}

  /** From a member's UserActor: one of the member's devices acked through {@code seq}. */
  public record Delivered(String userId, long seq) implements Command, ForUser {}

  /** From a member's UserActor: the member read through {@code seq}. */
  public record Read(String userId, long seq) implements Command, ForUser {}

  public record Typing(String userId) implements Command, ForUser {}

  /** A member of a large group read through {@code seq}: answered once stored (see {@link ReadMarks}). */
  public record MarkRead(String userId, long seq, ActorRef<Outcome<Done>> replyTo) implements Command, ForUser, Answered {}

  /** What a large group's inbox entry shows {@code userId} (see {@link Summary}). */
  public record GetSummary(String userId, ActorRef<Outcome<Summary>> replyTo) implements Command, ForUser, Answered {}

  /** {@code lastMessage}: a large group's newest, null if none or not large; {@code readSeq}: the member's mark. */
  public record Summary(ConversationInfo info, ChatMessage lastMessage, long readSeq) implements JsonSerializable {}

  /** A node's relay registers (again) to hear this large group's messages live (see {@link GroupRelays}). */
  public record RelayJoin(ActorRef<LiveEvent> relay) implements Command {}

  public record RelayLeave(ActorRef<LiveEvent> relay) implements Command {}

  /**
   * A relay asks which of the users it relays this large group to are not members (any more):
   * answered with {@link LiveEvent.NotMembers} if any are, which the relay then stops telling.
   * {@code asked} is the relay's own mark, given back with the answer.
   */
  public record CheckRelayMembers(ActorRef<LiveEvent> relay, List<String> userIds, long asked) implements Command {}

  /** A relay handed messages live to connected members: to {@code users} distinct ones for each {@code seq}. */
  public record Relayed(List<CountAdded> delivered) implements Command {}

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

  /** The message a {@link Delete} names, read to check who sent it (null: the read failed). */
  record DeleteChecked(Delete delete, ChatMessage message, String failure) implements Command {}

  // Idempotency beyond the state (see DedupOverflow).
  record DedupLookedUp(List<Send> sends, Map<Long, DedupWindow.Entry> found, String failure) implements Command {}

  record DedupSpillStored(long throughSeq, long untilTs, long generation) implements Command {}

  record DedupSpillFailed(String cause) implements Command {}

  // Archive runs (see ArchiveRuns): each step's result comes back as a command, so the
  // state is only ever changed by this actor, in order. `run` tells results of the current run
  // from late ones of a run cut short by a restart.
  public record ArchiveLoaded(long run, long fromSeq, long cutoffTs, List<ConversationJournal.Written> loaded)
      implements Command {}

  public record SegmentWritten(long run, String key) implements Command {}

  public record ArchiveFailed(long run, String step, String cause) implements Command {}

  public record TrimFinished(long throughSeqNr, boolean deleted) implements Command {}

  // A large group's members (see LargeMembers): lookups, checks and writes of their rows.
  record MembersLookedUp(List<String> asked, Map<String, GroupMembers.Row> found, String failure) implements Command {}

  record MembersChecked(Command change, Map<String, GroupMembers.Row> found, String failure) implements Command {}

  record MemberRowsStored(int added, int removed, String failure) implements Command {}

  record ReadMarksStored(List<GroupMembers.Row> marks, List<ActorRef<Outcome<Done>>> replies, String failure)
      implements Command {}

  /** The member index holds the members as of index request {@code asked}, or {@code failure}. */
  record MembersIndexed(long asked, String failure) implements Command {}

  // ------------------------------------------------------------------------------------ events

  public sealed interface Event extends JsonSerializable {}

  public record DirectStarted(List<String> members, long ts) implements Event {}

  /** {@code roles}: the creator is its owner (false in groups created before roles: see {@link GroupRoles}). */
  public record GroupCreated(String title, List<String> members, String creatorId, long ts, boolean roles)
      implements Event {}

  public record MembersAdded(List<String> members) implements Event {}

  public record MemberLeft(String userId) implements Event {}

  /** An owner or admin removed them. */
  public record MembersRemoved(List<String> members) implements Event {}

  public record RoleChanged(String userId, boolean admin) implements Event {}

  public record PostingChanged(boolean adminsOnly) implements Event {}

  /** The group grew large: its members (all of them, with the ones just added) move to {@code rows}. */
  public record BecameLarge(List<GroupMembers.Row> rows) implements Event {}

  /**
   * Members joined (the group's messages after {@code since} are theirs) or left a large group;
   * their rows are owed until {@link MemberRowsWritten}. Ids only: a page of a thousand is one small event.
   */
  public record LargeMembersChanged(List<String> added, long since, List<String> removed) implements Event {}

  /** The first {@code added} and {@code removed} rows owed are written. */
  public record MemberRowsWritten(int added, int removed) implements Event {}

  /** Receipts of a large group's messages, counted (see {@link ReceiptTally}). */
  public record ReceiptsCounted(List<CountAdded> added) implements Event {}

  /** Members who got message {@code seq} live, and who read it, since the last count. */
  public record CountAdded(long seq, long delivered, long read) implements JsonSerializable {}

  /** Every member's user entity holds the current membership (see {@link MembershipNotices}). */
  public record MembershipSettled() implements Event {}

  /**
   * Messages written together. {@code writeSeqNr} is the journal sequence number where the write
   * holding this event begins: the journal returns a multi-event write whole or not at all, so
   * the index must point a reader at its start. The dedup bounds are the settings' at the time,
   * recorded so that a replay under other settings rebuilds the same window.
   */
  public record MessagesAccepted(
      List<StoredMessage> messages, long writeSeqNr, long dedupWindowMillis, int dedupMaxEntries)
      implements Event {}

  public record HandoffsConfirmed(Map<String, Long> storedThrough) implements Event {}

  /** Message {@code seq} was deleted for everyone by its sender. */
  public record MessageDeleted(long seq, long ts) implements Event {}

  /** {@code userId}'s messages through {@code throughSeq} read as tombstones; {@code leaves}: removed from the members. */
  public record MemberErased(String userId, long throughSeq, boolean leaves) implements Event {}

  /**
   * The idempotency keys of messages through {@code throughSeq} are in the {@link DedupSpill}
   * (the newest of them from {@code untilTs}), in its {@code generation}, so the state forgets them
   * and remembers only where they went. In events written before generations, {@code generation}
   * is 0 (an item per key) and so is {@code windowMillis} (then the legacy 24 h).
   */
  public record DedupSpilled(long throughSeq, long untilTs, long windowMillis, long generation) implements Event {}

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
   * The events of one group-committed write, stored as one journal item: DynamoDB bills per item,
   * so a write costs one item however much it carries.
   */
  public record Batch(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) List<Event> events)
      implements Event, EventBatches.Batch<Event> {}

  // ------------------------------------------------------------------------------------ wiring

  public static Behavior<Command> create(
      String conversationId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      Recipients recipients,
      MessageReader reader,
      ArchiveRuns.Factory archiveRuns,
      DedupSpill dedupSpill,
      MemberIndex memberIndex,
      GroupMembers groupMembers,
      LiveGroups liveGroups,
      ConversationSettings settings,
      Clock clock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new ConversationActor(
        conversationId, ctx, timers, shard, recipients, reader, archiveRuns, dedupSpill, memberIndex, groupMembers,
        liveGroups, settings, clock)));
  }

  private final String conversationId;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ConversationSettings settings;

  // Not state: the jobs, holding what waits for the next write and fan-out bookkeeping that is
  // rebuilt (or safely repeated) after a restart.
  private final MemberHandoffs handoffs;
  private final MembershipNotices memberships;
  private final ArchiveRuns archiving;
  private final MessageDeletion deletion;
  private final MemberErasure erasure;
  private final DedupOverflow dedupOverflow;
  private final Membership membership;
  private final GroupAdmin admin;
  private final ConversationWrites writes;
  private final TypingRelay typing;
  private final Upkeep upkeep;
  private final LargeMembers large;
  private final GroupRelays relays;
  private final ReceiptTally tally;
  private final MentionPushes mentions;
  private final EntityLifecycle<State> lifecycle;
  /** A large group's members as far as looked up in its rows: not state, so not rebuilt by replay. */
  private final KnownMembers known = new KnownMembers();

  private ConversationActor(
      String conversationId,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ActorRef<ClusterSharding.ShardCommand> shard,
      Recipients recipients,
      MessageReader reader,
      ArchiveRuns.Factory archiveRuns,
      DedupSpill dedupSpill,
      MemberIndex memberIndex,
      GroupMembers groupMembers,
      LiveGroups liveGroups,
      ConversationSettings settings,
      Clock clock) {
    super(persistenceId(conversationId), EntityLifecycle.onPersistenceFailure());
    this.conversationId = conversationId;
    this.ctx = ctx;
    this.timers = timers;
    this.lifecycle = new EntityLifecycle<>(TYPE_KEY.name(), ctx, shard);
    this.settings = settings;
    this.memberships = new MembershipNotices(conversationId, recipients, memberIndex, ctx,
        settings.handoffRetryInterval(), clock, known);
    this.handoffs = new MemberHandoffs(conversationId, ctx, recipients, memberships, reader, this::locate,
        settings.handoffRetryInterval(), clock);
    this.archiving = archiveRuns.create(conversationId, ctx, Effect(), () -> lastSequenceNumber(ctx));
    this.dedupOverflow = new DedupOverflow(
        conversationId, ctx, dedupSpill, settings.dedupWindow().toMillis(), settings.dedupMaxEntries(), known);
    this.relays = new GroupRelays(conversationId, clock, known);
    this.tally = new ReceiptTally(conversationId, Effect(), recipients);
    this.deletion = new MessageDeletion(conversationId, ctx, Effect(), reader, this::locate, recipients, relays, clock,
        known);
    this.large = new LargeMembers(conversationId, ctx, Effect(), groupMembers, liveGroups, memberships, tally, settings,
        known);
    this.erasure = new MemberErasure(conversationId, Effect(), recipients, memberships, large, known);
    this.mentions = new MentionPushes(conversationId, groupMembers, recipients, known);
    this.membership = new Membership(conversationId, Effect(), memberships, this::locate, large, groupMembers,
        settings, clock, known);
    this.admin = new GroupAdmin(conversationId, Effect(), memberships, large, known);
    this.writes = new ConversationWrites(conversationId, ctx, Effect(), () -> lastSequenceNumber(ctx), recipients,
        handoffs, this::fanOut, dedupOverflow, membership, settings, clock, known);
    this.typing = new TypingRelay(conversationId, Effect(), recipients, relays, known);
    this.upkeep = new Upkeep(
        Effect(), writes, handoffs, memberships, archiving, dedupOverflow, large, relays, tally, lifecycle, settings,
        clock);
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
    return lifecycle.signals(newSignalHandlerBuilder(),
        state -> {
          timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.handoffRetryInterval());
          if (state instanceof Active active && active.membershipUnsettled && active.title != null) {
            memberships.announce(active, List.copyOf(active.formerMembersOwed)); // a crash cut the telling short
          } // a direct conversation tells no one: the tick writes the member index (Upkeep)
          if (state instanceof Active active) {
            large.writeNext(active); // member rows a crash left owed
          }
          archiving.recovered();
          dedupOverflow.recovered();
        },
        builder -> builder
            .onSignal(SnapshotCompleted.class, (state, done) -> archiving.snapshotted(state, done.metadata().sequenceNr()))
            .onSignal(SnapshotFailed.class, (state, failed) -> archiving.snapshotFailed(failed.getFailure())));
  }

  // ---------------------------------------------------------------------------- command handler

  /** What neither state's own table takes. */
  private static final HandlerTable<ConversationActor, State, Command, Effect<Event, State>> IN_ANY_STATE =
      HandlerTable.<ConversationActor, State, Command, Effect<Event, State>>builder()
          .on(Send.class, touching((self, state, cmd) -> self.writes.send(state, cmd)))
          .on(Flush.class, (self, state, cmd) -> self.writes.flush(state, cmd))
          .on(Tick.class, (self, state, cmd) -> self.upkeep.tick(state, cmd))
          .on(Stop.class, (self, state, cmd) -> self.Effect().stop())
          .on(ArchiveFailed.class, (self, state, failed) -> self.archiving.onFailed(failed))
          // Receipts, hand-offs and typing for a conversation that has nothing stored are stale;
          // a WakeUp only starts the entity.
          .on(Command.class, (self, state, cmd) -> self.Effect().none())
          .build();

  private static final HandlerTable<ConversationActor, Empty, Command, Effect<Event, State>> WHEN_EMPTY =
      HandlerTable.<ConversationActor, Empty, Command, Effect<Event, State>>builder()
          .on(Create.class, touching((self, state, cmd) -> self.membership.create(state, cmd)))
          .on(GetInfo.class, touching((self, state, cmd) -> self.membership.getInfoBeforeStart(state, cmd)))
          .on(LocateMessages.class, touching((self, state, cmd) -> self.membership.locateBeforeStart(state, cmd)))
          .on(AddMembers.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(Leave.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(RemoveMembers.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(SetRole.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(SetPosting.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(GetReceiptsGiven.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(GetMembers.class, touching((self, state, cmd) -> self.membership.membersBeforeStart(state, cmd)))
          .on(Delete.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          // A read of a conversation that holds nothing: as the user entity answered, not a member.
          .on(MarkRead.class, (self, state, cmd) ->
              self.Effect().reply(cmd.replyTo(), notMember(self.conversationId, cmd.userId())))
          .on(GetSummary.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(CheckRelayMembers.class, (self, state, cmd) -> self.none(() -> GroupRelays.noneAreMembers(cmd, self.conversationId)))
          .on(EraseMember.class, (self, state, cmd) -> self.Effect().reply(cmd.replyTo(), Outcome.ok(Done.INSTANCE)))
          .otherwise(IN_ANY_STATE)
          .build();

  /** What a small group and a large one handle alike (each state's own table comes first). */
  private static final HandlerTable<ConversationActor, Active, Command, Effect<Event, State>> WHEN_ACTIVE =
      HandlerTable.<ConversationActor, Active, Command, Effect<Event, State>>builder()
          .on(Create.class, (self, state, cmd) -> self.membership.createExisting(state, cmd))
          .on(Send.class, touching((self, state, cmd) -> self.writes.send(state, cmd)))
          .on(GetInfo.class, touching((self, state, cmd) -> self.membership.getInfo(state, cmd)))
          .on(GetReceiptsGiven.class, touching((self, state, cmd) -> self.membership.receiptsGiven(state, cmd)))
          .on(LocateMessages.class, touching((self, state, cmd) -> self.membership.locate(state, cmd)))
          .on(GetSummary.class, touching((self, state, cmd) -> self.membership.summary(state, cmd)))
          .on(RelayJoin.class, touching((self, state, join) -> self.none(() -> self.relays.join(state, join))))
          .on(Relayed.class, (self, state, relayed) -> self.none(() -> self.tally.relayed(state, relayed.delivered())))
          .on(RelayLeave.class, (self, state, leave) -> self.none(() -> self.relays.leave(leave.relay())))
          .on(CheckRelayMembers.class, touching((self, state, check) -> self.none(() -> self.relays.check(state, check))))
          .on(MembersLookedUp.class, (self, state, answer) -> self.none(() -> self.large.lookedUp(state, answer)))
          .on(MembersChecked.class, (self, state, cmd) -> self.large.checked(state, cmd))
          .on(MemberRowsStored.class, (self, state, cmd) -> self.large.rowsStored(state, cmd))
          .on(ReadMarksStored.class, (self, state, cmd) -> self.large.readsStored(state, cmd))
          .on(HandedOff.class, (self, state, cmd) -> self.none(() -> self.handoffs.onHandedOff(state, cmd)))
          .on(MembershipHeld.class, (self, state, cmd) ->
              self.Effect().none().thenRun(s -> self.memberships.onHeld(state, cmd)))
          .on(MembersIndexed.class, (self, state, cmd) ->
              self.Effect().none().thenRun(s -> self.memberships.onIndexed(state, cmd)))
          .on(RetryLoaded.class, (self, state, loaded) -> self.none(() -> self.handoffs.onRetryLoaded(state, loaded)))
          .on(Delete.class, touching((self, state, cmd) -> self.deletion.request(state, cmd)))
          .on(DeleteChecked.class, (self, state, cmd) -> self.deletion.checked(state, cmd))
          .on(DedupLookedUp.class, (self, state, cmd) -> self.writes.lookedUp(state, cmd))
          .on(DedupSpillStored.class, (self, state, cmd) -> self.writes.spillStored(state, cmd))
          .on(DedupSpillFailed.class, (self, state, cmd) -> self.writes.spillFailed(state, cmd))
          .on(ArchiveLoaded.class, (self, state, loaded) -> self.archiving.onLoaded(state, loaded))
          .on(SegmentWritten.class, (self, state, written) -> self.archiving.onSegmentWritten(state, written))
          .on(TrimFinished.class, (self, state, trimmed) -> self.archiving.onTrimFinished(trimmed))
          .otherwise(IN_ANY_STATE)
          .build();

  /** A small group: its members are in the state, each told of every message and receipt. */
  private static final HandlerTable<ConversationActor, Active, Command, Effect<Event, State>> WHEN_SMALL =
      HandlerTable.<ConversationActor, Active, Command, Effect<Event, State>>builder()
          .on(GetMembers.class, touching((self, state, cmd) -> self.membership.members(state, cmd)))
          .on(AddMembers.class, touching((self, state, cmd) -> self.membership.addMembers(state, cmd)))
          .on(Leave.class, touching((self, state, cmd) -> self.membership.leave(state, cmd)))
          .on(RemoveMembers.class, touching((self, state, cmd) -> self.admin.removeMembers(state, cmd)))
          .on(Delivered.class, touching((self, state, cmd) ->
              self.writes.receipt(state, cmd.userId(), ReceiptStatus.DELIVERED, cmd.seq())))
          .on(Read.class, touching((self, state, cmd) ->
              self.writes.receipt(state, cmd.userId(), ReceiptStatus.READ, cmd.seq())))
          // Read marks are a large group's: a small one has none of its members.
          .on(MarkRead.class, touching((self, state, cmd) ->
              self.Effect().reply(cmd.replyTo(), notMember(self.conversationId, cmd.userId()))))
          .on(Typing.class, touching((self, state, cmd) -> self.typing.typing(state, cmd)))
          .on(SetRole.class, touching((self, state, cmd) -> self.admin.setRole(state, cmd, told -> {})))
          .on(SetPosting.class, touching((self, state, cmd) -> self.admin.setPosting(state, cmd, told -> {})))
          .on(EraseMember.class, touching((self, state, cmd) -> self.erasure.erase(state, cmd)))
          .otherwise(WHEN_ACTIVE)
          .build();

  /**
   * A large group (after {@link BecameLarge}): its members are rows, looked up before a command
   * naming users is handled (see {@link LargeMembers}), and changed one change at a time.
   */
  private static final HandlerTable<ConversationActor, Active, Command, Effect<Event, State>> WHEN_LARGE =
      HandlerTable.<ConversationActor, Active, Command, Effect<Event, State>>builder()
          .on(GetMembers.class, gated((self, state, cmd) -> self.membership.membersOfLarge(state, cmd)))
          .on(AddMembers.class, gated((self, state, cmd) -> self.membership.addMembersToLarge(state, cmd)))
          .on(Leave.class, gated((self, state, cmd) -> self.membership.leaveLarge(state, cmd)))
          .on(RemoveMembers.class, gated((self, state, cmd) -> self.admin.removeMembersFromLarge(state, cmd)))
          // Its receipts are its members' read marks.
          .on(Delivered.class, gated((self, state, cmd) -> self.Effect().none()))
          .on(Read.class, gated((self, state, cmd) -> self.none(() ->
              self.large.read(state, cmd.userId(), cmd.seq(), null))))
          .on(MarkRead.class, gated((self, state, cmd) -> self.none(() ->
              self.large.read(state, cmd.userId(), cmd.seq(), cmd.replyTo()))))
          .on(Typing.class, gated((self, state, cmd) -> self.typing.typingInLarge(state, cmd)))
          // Its connected members hear of these through the relays.
          .on(SetRole.class, gated((self, state, cmd) -> self.admin.setRole(state, cmd, self.large::infoChanged)))
          .on(SetPosting.class, gated((self, state, cmd) ->
              self.admin.setPosting(state, cmd, self.large::infoChanged)))
          .on(EraseMember.class, gated((self, state, cmd) -> self.erasure.eraseInLarge(state, cmd)))
          .on(Command.class, (self, state, cmd) ->
              self.large.waitsForLookup(state, cmd) ? self.Effect().none() : WHEN_ACTIVE.apply(self, state, cmd))
          .build();

  /** A command handler per state: the state's own table, then the common one. */
  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return (state, command) -> {
      if (!(state instanceof Active active)) {
        return WHEN_EMPTY.apply(this, (Empty) state, command);
      }
      return active.large ? WHEN_LARGE.apply(this, active, command) : WHEN_SMALL.apply(this, active, command);
    };
  }

  /** A handler that answers later, or only tells others: it stores nothing now. */
  private Effect<Event, State> none(Runnable handle) {
    handle.run();
    return Effect().none();
  }

  /** Commands a member or client sent count as activity: the conversation stays awake. */
  private static <S extends State, C extends Command> Handler<ConversationActor, S, C, Effect<Event, State>> touching(
      Handler<ConversationActor, S, C, Effect<Event, State>> handler) {
    return (self, state, cmd) -> {
      self.upkeep.touch();
      return handler.apply(self, state, cmd);
    };
  }

  /**
   * For a large group: {@link #touching}, once the users the command names are known to be
   * members or not (see {@link LargeMembers}); until then it waits, and is handled again.
   */
  private static <C extends Command> Handler<ConversationActor, Active, C, Effect<Event, State>> gated(
      Handler<ConversationActor, Active, C, Effect<Event, State>> handler) {
    Handler<ConversationActor, Active, C, Effect<Event, State>> touched = touching(handler);
    return (self, state, cmd) -> self.large.waitsForLookup(state, cmd) ? self.Effect().none() : touched.apply(self, state, cmd);
  }

  /** Freshly stored messages go to every member, or in a large group to the relays of those connected. */
  private void fanOut(Active state, List<StoredMessage> stored, List<SendBatch.Mentions> mentioned) {
    if (!state.large) {
      handoffs.fanOut(state, stored); // every member is pushed when offline: mentions add nothing
      return;
    }
    relays.messages(stored.stream().map(m -> m.toChatMessage(conversationId)).toList());
    stored.forEach(m -> large.read(state, m.senderId(), m.seq(), null)); // one's own message is read
    mentioned.forEach(m -> mentions.mentioned(state, m)); // no one else is pushed
  }

  static <T> Outcome<T> notMember(String conversationId, String userId) {
    return Outcome.rejected(Reason.NOT_MEMBER, userId + " is not a member of " + conversationId);
  }

  /** Where messages {@code from..to} are: cold segments, then a range of this journal. */
  private Location locate(Active state, long from, long to) {
    return state.locate(from, to, lastSequenceNumber(ctx));
  }

  // ------------------------------------------------------------------------------ event handler

  /** Pure: the state's own methods build the new state from the event alone. */
  private static final HandlerTable<ConversationActor, Empty, Event, State> EVENTS_WHEN_EMPTY =
      HandlerTable.<ConversationActor, Empty, Event, State>builder()
          .on(DirectStarted.class, (self, state, e) -> new Active(null, e.members()).membershipChanged())
          .on(GroupCreated.class, (self, state, e) ->
              new Active(e.title(), e.members()).groupCreated(e.creatorId(), e.roles()))
          .build();

  private static final HandlerTable<ConversationActor, Active, Event, State> EVENTS_WHEN_ACTIVE =
      HandlerTable.<ConversationActor, Active, Event, State>builder()
          .on(MembersAdded.class, (self, state, e) -> state.membersAdded(e.members()))
          .on(MemberLeft.class, (self, state, e) -> state.memberLeft(e.userId()))
          .on(MembersRemoved.class, (self, state, e) -> state.membersRemoved(e.members()))
          .on(RoleChanged.class, (self, state, e) -> state.roleChanged(e.userId(), e.admin()))
          .on(PostingChanged.class, (self, state, e) -> state.postingChanged(e.adminsOnly()))
          .on(MembershipSettled.class, (self, state, e) -> state.membershipSettled())
          .on(BecameLarge.class, (self, state, e) -> state.becameLarge(e.rows()))
          .on(LargeMembersChanged.class, (self, state, e) -> state.largeMembersChanged(
              e.added().stream().map(id -> new GroupMembers.Row(id, e.since(), e.since())).toList(), e.removed()))
          .on(MemberRowsWritten.class, (self, state, e) -> state.memberRowsWritten(e.added(), e.removed()))
          .on(ReceiptsCounted.class, (self, state, e) -> state.receiptsCounted(e.added()))
          .on(MessagesAccepted.class, (self, state, e) -> state.messagesAccepted(e))
          .on(DedupSpilled.class, (self, state, e) -> state.dedupSpilled(e))
          .on(MessageDeleted.class, (self, state, e) -> state.messageDeleted(e.seq()))
          .on(MemberErased.class, (self, state, e) -> state.memberErased(e))
          .on(SegmentArchived.class, (self, state, e) -> state.segmentArchived(e))
          .on(JournalTrimmed.class, (self, state, e) -> state.journalTrimmed(e.throughSeqNr()))
          .on(HandoffsConfirmed.class, (self, state, e) -> state.handoffsConfirmed(e.storedThrough()))
          .on(ReceiptRecorded.class, (self, state, e) ->
              state.receiptsRecorded(List.of(new Receipt(e.userId(), e.status(), e.seq()))))
          .on(ReceiptsRecorded.class, (self, state, e) -> state.receiptsRecorded(e.receipts()))
          // Events of the Empty state never repeat on an Active one.
          .on(Event.class, (self, state, e) -> state)
          .build();

  @Override
  public EventHandler<State, Event> eventHandler() {
    return (state, event) -> {
      if (event instanceof Batch batch) {
        return EventBatches.applyAll(eventHandler(), state, batch.events());
      }
      if (state instanceof Active active) {
        return EVENTS_WHEN_ACTIVE.apply(this, active, event);
      }
      return EVENTS_WHEN_EMPTY.apply(this, (Empty) state, event);
    };
  }
}
