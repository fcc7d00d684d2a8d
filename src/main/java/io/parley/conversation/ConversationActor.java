package io.parley.conversation;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.cluster.EventBatches;
import io.parley.cluster.JsonSerializable;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * One conversation: membership, the gapless {@code seq}, idempotent sends, receipts and fan-out.
 * This file is its protocol (commands, events), which cannot move: journals and other nodes name
 * its classes {@code ConversationActor$X}. {@link ConversationEntity} is the event-sourced entity
 * itself; {@link ConversationCommands} holds the command handlers, a table per state, each handing
 * a command to one of the {@link ConversationJobs}; {@link ConversationEvents} is the pure event
 * handler that builds the {@link ConversationState}.
 */
public final class ConversationActor {
  private ConversationActor() {}

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "conversation");

  public static PersistenceId persistenceId(String conversationId) {
    return PersistenceId.of("Conversation", conversationId);
  }

  // ---------------------------------------------------------------------------------- commands

  /**
   * Those declared here come from other packages and other nodes, which name them
   * {@code ConversationActor$X}. The others are results the jobs pipe to the entity, declared
   * beside the job that sends them: never stored, never sent to another node.
   */
  public sealed interface Command extends JsonSerializable
      permits Send, Create, AddMembers, Leave, RemoveMembers, SetRole, SetPosting, Rename, GetInfo, GetMembers,
          GetReceiptsGiven, LocateMessages, Delete, EraseMember, HandedOff, MembershipHeld, DeletionNoticed, Delivered,
          Read, Typing, MarkRead, GetSummary, RelayJoin, RelayLeave, CheckRelayMembers, Relayed, WakeUp, Stop,
          ArchiveRuns.ArchiveLoaded, ArchiveRuns.SegmentWritten, ArchiveRuns.ArchiveFailed, ArchiveRuns.TrimFinished,
          ConversationWrites.Flush, Upkeep.Tick, MemberHandoffs.RetryLoaded, MessageDeletion.DeleteChecked,
          DedupOverflow.DedupLookedUp, DedupOverflow.DedupSpillStored, DedupOverflow.DedupSpillFailed,
          LargeMembers.MembersLookedUp, LargeMembers.MembersChecked, LargeMembers.MemberRowsStored,
          LargeMembers.ReadMarksStored, MembershipNotices.MembersIndexed {}

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
   * connection may wait for (see {@code UserActor.Sync}). {@code repeat}: the send was one
   * already stored (its client_msg_id), answered as that message and storing nothing; false
   * from nodes that predate it.
   */
  public record SendAck(String clientMsgId, String messageId, long seq, long serverTs, boolean toSenderStream,
      boolean repeat)
      implements JsonSerializable {

    /** A new message's ack. */
    public SendAck(String clientMsgId, String messageId, long seq, long serverTs, boolean toSenderStream) {
      this(clientMsgId, messageId, seq, serverTs, toSenderStream, false);
    }

    /** How a repeat of this send is answered: the same message, and no copy on its way. */
    public SendAck asRepeat() {
      return new SendAck(clientMsgId, messageId, seq, serverTs, false, true);
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

  /** An owner or admin renames the group to {@code title}, sealed; null changes nothing but is checked as a rename. */
  public record Rename(String requesterId, String title, ActorRef<Outcome<Done>> replyTo)
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

  /** From a member's UserActor: it stored the notice that message {@code seq} was deleted (see {@link DeletionNotices}). */
  public record DeletionNoticed(String userId, long seq) implements Command {}

  /** From a member's UserActor: one of the member's devices acked through {@code seq}. */
  public record Delivered(String userId, long seq) implements Command, ForUser {}

  /** From a member's UserActor: the member read through {@code seq}. */
  public record Read(String userId, long seq) implements Command, ForUser {}

  /**
   * {@code userId} is typing: relayed to the other members, answered (if {@code replyTo} is set)
   * with nothing more than whether the user may type here. Nodes of an earlier version send none
   * and expect no answer.
   */
  public record Typing(String userId, ActorRef<Outcome<Done>> replyTo) implements Command, ForUser, Answered {}

  /** A member of a large group read through {@code seq}: answered once stored (see {@link ReadMarks}). */
  public record MarkRead(String userId, long seq, ActorRef<Outcome<Done>> replyTo) implements Command, ForUser, Answered {}

  /** What a large group's inbox entry shows {@code userId} (see {@link Summary}). */
  public record GetSummary(String userId, ActorRef<Outcome<Summary>> replyTo) implements Command, ForUser, Answered {}

  /**
   * {@code lastMessage}: a large group's newest, null if none or not large; {@code readSeq}: the
   * member's mark; {@code unread}: the messages after it the member may read, tombstones left out
   * ({@link EarlierUnread}); null from nodes that did not count them (then every seq after the mark).
   */
  public record Summary(ConversationInfo info, ChatMessage lastMessage, long readSeq, Long unread)
      implements JsonSerializable {}

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

  enum Stop implements Command {
    INSTANCE
  }

  /** What sharding sends to stop this entity when it passivates or its shard moves. */
  public static Command stopMessage() {
    return Stop.INSTANCE;
  }

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

  /** The group's title from now on, sealed with the key of whoever set it. */
  public record Renamed(String title) implements Event {}

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

  /**
   * Message {@code seq} was deleted for everyone by its sender, {@code deletedBy} (null in events
   * from before deletion notices were confirmed): each member is owed the notice until their
   * UserActor confirms it (see {@link DeletionNotices}).
   */
  public record MessageDeleted(long seq, long ts, String deletedBy) implements Event {}

  /** The members no longer owed the notice of each deleted seq: they stored it, or it was given up. */
  public record DeletionNoticesSettled(Map<Long, List<String>> settled) implements Event {}

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

  public static Behavior<Command> create(String conversationId, ActorRef<ClusterSharding.ShardCommand> shard,
      ConversationWiring wiring) {
    return ConversationEntity.create(conversationId, shard, wiring);
  }

  static <T> Outcome<T> notMember(String conversationId, String userId) {
    return Outcome.rejected(Reason.NOT_MEMBER, userId + " is not a member of " + conversationId);
  }
}
