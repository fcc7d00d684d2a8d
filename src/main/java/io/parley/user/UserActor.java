package io.parley.user;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.CopyingSnapshotAdapter;
import io.parley.cluster.EventBatches;
import io.parley.cluster.JsonSerializable;
import io.parley.cluster.EntityLifecycle;
import io.parley.push.PushNotifier;
import io.parley.push.PushToken;
import io.parley.conversation.Conversations;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.ReceiptStatus;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One user: the delivery stream (cursor, pending items, each device's ack), the inbox, presence
 * and push tokens. This file is its protocol (the commands others send, their replies, the events)
 * and the entity's wiring, as in Pekko's ShoppingCart sample; what its jobs send it
 * ({@link Internal}) is declared beside each job. {@link UserCommands} hands each command to one of
 * the {@link UserJobs}: {@link UserWrites} (the group commit), {@link DeliveryStream},
 * {@link DeviceConnections} (live connections, held in memory only, with {@link PresenceWatchers}),
 * {@link InboxCommands}, {@link Allowances}, {@link Erasure}, {@link GroupConsent},
 * {@link WakeUpPushes} and {@link Passivation}; {@link UserEvents} is the pure event handler that
 * builds the {@link UserState}. The protocol cannot move: journals and other nodes name its
 * classes {@code UserActor$X}.
 */
public final class UserActor
    extends EventSourcedBehavior<UserActor.Command, UserActor.Event, UserState> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "user");

  public static PersistenceId persistenceId(String userId) {
    return PersistenceId.of("User", userId);
  }

  // ---------------------------------------------------------------------------------- commands

  public sealed interface Command extends JsonSerializable {}

  /** Commands that change the state: they are group-committed, see {@link UserWrites}. */
  public sealed interface Writes extends Command {}

  /**
   * What the entity's jobs send it (piped results, their timers): never journaled, never sent by
   * another node, so each is declared beside the job that sends it.
   */
  sealed interface Internal extends Command permits UserWrites.Flush, UserWrites.FlushAcks, Erasure.EraseStep,
      Erasure.ElsewhereErased, Erasure.IndexConsulted, Erasure.OwnJournalErased, Erasure.ErasingMarked,
      PresenceWatchers.PresenceChecked, WakeUpPushes.PushDue, Passivation.Tick {}

  /**
   * Messages after {@code since} are theirs; {@code info} is null if the membership {@code fingerprint}
   * names is held. With {@code info}: {@code readThrough}, how far the user read, and
   * {@code unreadBefore}, how many messages of others after that come before these (0 from older
   * nodes): an inbox that takes the conversation back counts them.
   */
  public record Deliver(ConversationInfo info, long since, List<ChatMessage> messages, String conversationId,
      long fingerprint, long readThrough, int unreadBefore) implements Writes {
    public Deliver { // older nodes: no id or fingerprint (0), always info
      conversationId = conversationId != null ? conversationId : info.conversationId();
    }

    public Deliver(ConversationInfo info, long since, List<ChatMessage> messages, String conversationId,
        long fingerprint) {
      this(info, since, messages, conversationId, fingerprint, 0, 0);
    }

    public Deliver(ConversationInfo info, long since, List<ChatMessage> messages) {
      this(info, since, messages, info.conversationId(), info.fingerprint());
    }
  }

  public record ConversationChanged(ConversationInfo info, long lastMessageTs) implements Writes {}

  /** A message of a conversation the user is in was deleted for everyone. */
  public record MessageDeleted(String conversationId, long seq, String deletedBy) implements Writes {}

  /** {@code readerId} received or read the user's messages through {@code seq}: a stream item. */
  public record DeliverReceipt(String conversationId, long seq, String readerId, ReceiptStatus status)
      implements Writes {}

  /** A transient event for every connected device (typing): not stored. */
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

  /** The connection closed, or its actor stopped (it is watched). */
  public record Disconnect(String deviceId, ActorRef<DeviceEvent> connection) implements Writes {}

  /** Pending items after {@code afterCursor}, oldest first, at most {@code limit}. */
  public record GetPending(long afterCursor, int limit, ActorRef<PendingPage> replyTo)
      implements Command {}

  public record PendingPage(List<PendingDelivery> items, boolean more) implements JsonSerializable {}

  public record PendingDelivery(long cursor, PendingQueue.Item item) implements JsonSerializable {}

  public record Ack(String deviceId, long cursor, ActorRef<Outcome<Done>> replyTo) implements Command {}

  /**
   * Replies once every ack accepted before it is stored: a connection asks this before it answers
   * a later frame, which is when PROTOCOL.md makes acks durable. {@code conversationId} (or null)
   * and {@code seq} name a message whose copy is on its way into this user's stream (one the
   * connection just sent): the write that stores it stores the acks too, so the sync waits for
   * that write rather than making one of its own. Told unavailable at once if that write is refused.
   */
  public record Sync(String conversationId, long seq, ActorRef<Outcome<Done>> replyTo) implements Writes {}

  /**
   * {@code lastSeq}: the conversation's, as the entity asked it of a read beyond its inbox
   * ({@link InboxCommands#markRead}); null from a device, and never sent to another node.
   */
  public record MarkRead(String deviceId, String conversationId, long seq, ActorRef<Outcome<Done>> replyTo,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long lastSeq) implements Writes {
    public MarkRead(String deviceId, String conversationId, long seq, ActorRef<Outcome<Done>> replyTo) {
      this(deviceId, conversationId, seq, replyTo, null);
    }
  }

  /** The cursor's fields are the record's own, as nodes of the build before send them. */
  public record GetInbox(int limit, Long beforeTs, String afterConversationId, ActorRef<Outcome<InboxPage>> replyTo)
      implements Command {
    public InboxCursor cursor() {
      return new InboxCursor(beforeTs, afterConversationId);
    }
  }

  public record InboxPage(List<InboxItem> items) implements JsonSerializable {}

  /** What the user's entity holds about them, for {@code GET /v1/me/export}. */
  public record GetExport(ActorRef<ExportData> replyTo) implements Command {}

  /** {@code conversations}: every conversation the user is in, as far as this entity knows. */
  public record ExportData(Map<String, UserState.Device> devices, List<PushToken> pushTokens,
      List<InboxItem> inbox, List<String> conversations, long lastSeen) implements JsonSerializable {

    public ExportData withInbox(List<InboxItem> items) {
      return new ExportData(devices, pushTokens, items, conversations, lastSeen);
    }
  }

  public record RegisterPushToken(PushToken token, ActorRef<Outcome<Done>> replyTo) implements Writes {}

  public record UnregisterPushToken(PushToken token, ActorRef<Outcome<Done>> replyTo)
      implements Writes {}

  /** Erases the account ({@link Erasure}, which also answers {@code EraseStep}s): answered once recorded. */
  public record Erase(ActorRef<Erasure.Status> replyTo) implements Command {}
  /** Starts nothing: waking the entity resumes an unfinished erasure (its recovery does); answers how it stands. */
  public record ResumeErasure(ActorRef<Erasure.Resumed> replyTo) implements Command {}
  /**
   * An erased member's messages in one of the user's conversations, through {@code throughSeq}, are
   * tombstones; {@code tombstones} ({@link SeqRanges}) are those of them the user may not have read
   * yet, as far as the conversation knows who sent what (null from nodes that did not tell them).
   */
  public record SenderErased(String conversationId, String senderId, long throughSeq,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<Long> tombstones) implements Writes {
    public SenderErased(String conversationId, String senderId, long throughSeq) {
      this(conversationId, senderId, throughSeq, null);
    }
  }

  /** {@code subscriberUserId} (the connection's user) must share a conversation with this user. */
  public record SubscribePresence(String subscriberUserId, ActorRef<DeviceEvent> subscriber) implements Command {}

  /** A subscriber's periodic renewal: checked again; answered only if that changes something. */
  public record RenewPresence(String subscriberUserId, ActorRef<DeviceEvent> subscriber) implements Command {}

  /** The subscriber is done, or its actor stopped (it is watched). */
  public record UnsubscribePresence(ActorRef<DeviceEvent> subscriber) implements Command {}

  /**
   * One of this user's connections now watches the presence of {@code userIds} (its whole set):
   * refused if the user's connections would then watch too many, or if the users it newly watches
   * are more than {@code allowance} holds now ({@link PresenceBudget}). {@code replyTo} null
   * restores what the connection already watches, never refused. {@code allowance} is null from a
   * node of an earlier version, whose gateway cannot read a {@code RATE_LIMITED} refusal.
   */
  public record WatchPresence(ActorRef<DeviceEvent> connection, Set<String> userIds, ActorRef<Outcome<Done>> replyTo,
      WatchAllowance allowance) implements Command {}

  /**
   * How many users a user's connections may newly watch (each wakes that user's entity): a
   * minute's rate and a burst. The gateway's settings; the user's entity spends the bucket ({@link Allowances}).
   */
  public record WatchAllowance(int perMinute, int burst) implements JsonSerializable {}

  /** Up to {@code wanted} tokens from the user's bucket of {@code kind}, which this node then spends locally. */
  public record LeaseAllowance(AllowanceKind kind, int wanted, int perMinute, int burst, ActorRef<AllowanceLease> replyTo)
      implements Command {}

  /**
   * {@code granted} tokens; if none, {@code retryAfterMs} until the bucket holds one. {@code
   * unknownKind}: the entity's node does not know the kind asked for (a rolling update), and counts
   * nothing; absent (false) from earlier versions, which never answered such a lease.
   */
  public record AllowanceLease(int granted, long retryAfterMs, boolean unknownKind) implements JsonSerializable {
    public static final AllowanceLease UNKNOWN_KIND = new AllowanceLease(0, 0, true);

    public AllowanceLease(int granted, long retryAfterMs) {
      this(granted, retryAfterMs, false);
    }
  }

  /** A large group's message mentions the user: a push if no device is online (nothing is stored). */
  public record Mentioned(String conversationId, long seq, String senderId) implements Command {}

  /** Consent to groups: who may add the user, their invites, their daily quota ({@link GroupConsent}). */
  public non-sealed interface ConsentCommand extends Command {}

  enum Stop implements Command { INSTANCE }

  /** What sharding sends to stop this entity when it passivates or its shard moves. */
  public static Command stopMessage() {
    return Stop.INSTANCE;
  }

  // ------------------------------------------------------------------------------------ events

  public sealed interface Event extends JsonSerializable {}

  // Events carry the limits their command decided them under, so that replaying them gives the
  // same state under any configuration (see UserState).

  /**
   * Message references (never content) added to the stream, and the inbox's new preview.
   * {@code info} is null when the inbox already showed the conversation with these members and
   * title: a group's member list is not stored again with every message. {@code pendingIdBytes},
   * here and below: 0 in events stored before the pending queue's ids had a bound (none then).
   * {@code previewKeyId}: see {@link Inbox.Entry}. {@code tombstones} ({@link SeqRanges}): other
   * members' messages deleted or erased before they came, which are not unread; left out when
   * none, and null in events stored before they were told apart. {@code readThrough} and
   * {@code unreadBefore}: what an inbox entry made anew starts from (see {@link Deliver}); left out
   * when 0, as in events stored before they were told.
   */
  public record MessagesStored(ConversationInfo info, List<PendingQueue.Item> items, String preview,
      int inboxMaxEntries, int pendingMaxItems, long inactiveBefore, int inboxMemberBytes, int pendingIdBytes,
      String previewKeyId, @JsonInclude(JsonInclude.Include.NON_NULL) List<Long> tombstones,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long readThrough,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) int unreadBefore)
      implements Event {
    public MessagesStored(ConversationInfo info, List<PendingQueue.Item> items, String preview, int inboxMaxEntries,
        int pendingMaxItems, long inactiveBefore, int inboxMemberBytes, int pendingIdBytes, String previewKeyId) {
      this(info, items, preview, inboxMaxEntries, pendingMaxItems, inactiveBefore, inboxMemberBytes, pendingIdBytes,
          previewKeyId, null, 0, 0);
    }
  }

  /** A receipt or a deletion added to the stream: not a message, so no inbox, unread count or push. */
  public record NoticeStored(PendingQueue.Item item, int pendingMaxItems, long inactiveBefore, int pendingIdBytes)
      implements Event {}

  /** {@code inboxMemberBytes}, here and above: 0 in events stored before member lists had a budget (none then). */
  public record MembershipChanged(ConversationInfo info, long lastMessageTs, int inboxMaxEntries, int inboxMemberBytes)
      implements Event {}

  /** {@code maxDevices}: 0 in events stored before devices were limited (no limit then). */
  public record DeviceConnected(String deviceId, long ts, int pendingMaxItems, long inactiveBefore, int maxDevices)
      implements Event {}

  public record DeviceDisconnected(String deviceId, long ts) implements Event {}

  public record DeviceAcked(String deviceId, long cursor, long ts, int pendingMaxItems, long inactiveBefore)
      implements Event {}

  public record ConversationRead(String conversationId, long seq) implements Event {}

  /**
   * Messages of the conversation became tombstones: {@code tombstones} ({@link SeqRanges}, other
   * members' messages) no longer count as unread, and if the inbox's last message is {@code seq},
   * its preview goes. Named for what it did first; {@code tombstones} is null in events stored
   * before deleted messages stopped counting (and a node of then reads only the preview's part).
   */
  public record PreviewDeleted(String conversationId, long seq,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<Long> tombstones) implements Event {}

  public record PushTokenAdded(PushToken token) implements Event {}

  public record PushTokenRemoved(PushToken token) implements Event {}

  /** The account's erasure, step by step ({@link Erasure}). */
  public sealed interface Erasing extends Event {}
  /**
   * {@code conversations}: the first page of those the entity knows; {@code knownAfter}: the last of
   * them if more follow ({@link KnownConversations}), null if none do (and in events stored before pages).
   */
  public record EraseRequested(long ts, List<String> conversations, String knownAfter) implements Erasing {}
  public record ConversationErased(String conversationId) implements Erasing {}

  /**
   * The state is emptied but for this record, which alone rebuilds it once the events before it
   * are deleted: {@code nextCursor}, {@code requestedTs}, and {@code journalThrough}, the last
   * sequence number before it (the events and snapshots to delete). All three are 0 in events
   * stored before the journal was erased too.
   */
  public record EraseFinished(long ts, long requestedTs, long nextCursor, long journalThrough) implements Erasing {}

  /** The events and snapshots through {@code throughSeqNr} (all from before the erasure) are deleted. */
  public record JournalErased(long throughSeqNr) implements Erasing {}

  /**
   * A page of the conversations the member index names too (groups left, or beyond the inbox):
   * they are asked as well; {@code more}: further pages follow (false in events stored before pages).
   */
  public record ConversationsFound(List<String> conversations, boolean more) implements Erasing {}

  /** The next page of the conversations the entity knows; {@code knownAfter} as in {@link EraseRequested}. */
  public record MoreConversationsKnown(List<String> conversations, String knownAfter) implements Erasing {}

  /** Consent to groups ({@link GroupConsent}). */
  public non-sealed interface ConsentEvent extends Event {}

  /**
   * The events of one group-committed write, stored as one journal item: DynamoDB bills per item,
   * so a write costs one item however much it carries.
   */
  public record Batch(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) List<Event> events)
      implements Event, EventBatches.Batch<Event> {}

  // ------------------------------------------------------------------------------------ wiring

  public static Behavior<Command> create(String userId, ActorRef<ClusterSharding.ShardCommand> shard,
      Conversations conversations, UserSettings settings, PushNotifier pushes, KeptElsewhere elsewhere, Clock clock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new UserActor(userId, settings,
        self -> new UserJobs(userId, ctx, timers, shard, conversations, settings, pushes, elsewhere, clock,
            self.Effect(), () -> self.lastSequenceNumber(ctx)))));
  }

  private final String userId;
  private final UserSettings settings;
  private final UserJobs jobs;

  private UserActor(String userId, UserSettings settings, Function<UserActor, UserJobs> jobs) {
    super(persistenceId(userId), EntityLifecycle.onPersistenceFailure());
    this.userId = userId;
    this.settings = settings;
    this.jobs = jobs.apply(this); // they work with this entity's effects and sequence numbers
  }

  /** The state {@link #emptyState} gave Pekko, which starts every rebuild of this entity from it. */
  private UserState pristine;

  @Override
  public UserState emptyState() {
    pristine = new UserState();
    return pristine;
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
    return jobs.lifecycle.signals(newSignalHandlerBuilder(), jobs::recovered);
  }

  @Override
  public CommandHandler<Command, Event, UserState> commandHandler() {
    return (state, command) -> UserCommands.handle(jobs, state, command);
  }

  @Override
  public EventHandler<UserState, Event> eventHandler() {
    // Events change the state in place, and Pekko starts a rebuild after a failed write (a
    // restart) from the one object emptyState gave it: that object must stay empty, or the
    // rebuild applies every event again on top of the events of before, unstored ones included.
    return (state, event) -> UserEvents.apply(userId, state == pristine ? new UserState() : state, event);
  }
}
