package io.parley.conversation;

import io.parley.cluster.JsonSerializable;
import io.parley.conversation.ConversationActor.MessagesAccepted;
import io.parley.conversation.ConversationActor.Receipt;
import io.parley.conversation.ConversationActor.SegmentArchived;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a {@link ConversationActor} has stored. Only its event handler changes it, through the
 * methods here, which read nothing but the state and the event: replaying the same events builds
 * the same state under any configuration.
 */
public final class ConversationState {
  private ConversationState() {}

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

    long watermark(ReceiptStatus status) {
      return status == ReceiptStatus.DELIVERED ? delivered : read;
    }
  }

  /** The dedup bounds of events written before {@link MessagesAccepted} recorded its own. */
  static final long LEGACY_DEDUP_WINDOW_MILLIS = Duration.ofHours(24).toMillis();
  static final int LEGACY_DEDUP_MAX_ENTRIES = 5000;

  /** Mutable for speed; the actor's snapshot adapter hands the snapshot store a copy. */
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
    /** Messages deleted for everyone: they read as tombstones. */
    public DeletedMessages deleted = new DeletedMessages();
    /** Erased accounts: each sender's messages at or below its seq read as tombstones. */
    public HashMap<String, Long> erasedSenders = new HashMap<>();
    /** Whether the group has roles (see {@link GroupRoles}): false for groups created before them. */
    public boolean rolesOn;
    public String owner;
    public TreeSet<String> admins = new TreeSet<>();
    public boolean adminsOnlyPosting;
    /**
     * A membership change not yet known to every member (and to {@code formerMembersOwed}, who
     * left): told again after a restart, since the telling itself is not stored.
     */
    public boolean membershipUnsettled;
    /** The member index holds the members: false in conversations from before the index, which then write it once. */
    public boolean membersIndexed;
    public TreeSet<String> formerMembersOwed = new TreeSet<>();
    /** serverTs of the oldest hot message; 0 when none is hot or it is unknown. */
    public long oldestHotTs;
    /** Journal events through this may be deleted; through trimmedThrough they are. */
    public long trimThrough;
    public long trimmedThrough;

    public Active() {}

    public Active(String title, List<String> memberIds) {
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

    /** Adds and removes members, changes posting: an owner or admin, or any member without roles. */
    boolean mayManage(String userId) {
      return isMember(userId) && (!rolesOn || userId.equals(owner) || admins.contains(userId));
    }

    String roleOf(String userId) {
      return userId.equals(owner) ? "owner" : admins.contains(userId) ? "admin" : "member";
    }

    boolean mayPost(String userId) {
      return !adminsOnlyPosting || mayManage(userId);
    }

    ConversationInfo info(String conversationId) {
      return new ConversationInfo(conversationId, title, List.copyOf(members.keySet()), lastSeq,
          rolesOn ? new GroupRoles(owner, List.copyOf(admins), adminsOnlyPosting) : null);
    }

    /** Where messages {@code from..to} are: cold segments first, then a journal range. */
    ConversationActor.Location locate(long from, long to, long lastJournalSeqNr) {
      long archived = cold.archivedThrough();
      List<Segment> coldPart = from <= archived && from <= to
          ? cold.overlapping(from, Math.min(to, archived))
          : List.of();
      long hotFrom = Math.max(from, archived + 1);
      JournalIndex.Range range = hotFrom <= to
          ? index.locate(hotFrom, to, lastJournalSeqNr)
          : new JournalIndex.Range(1, 1);
      return new ConversationActor.Location(from, to, coldPart, hotFrom, range, deleted.between(from, to),
          Map.copyOf(erasedSenders));
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
      copy.deleted = deleted.copy();
      copy.erasedSenders = new HashMap<>(erasedSenders);
      copy.rolesOn = rolesOn;
      copy.owner = owner;
      copy.admins = new TreeSet<>(admins);
      copy.adminsOnlyPosting = adminsOnlyPosting;
      copy.membershipUnsettled = membershipUnsettled;
      copy.membersIndexed = membersIndexed;
      copy.formerMembersOwed = new TreeSet<>(formerMembersOwed);
      copy.oldestHotTs = oldestHotTs;
      copy.trimThrough = trimThrough;
      copy.trimmedThrough = trimmedThrough;
      return copy;
    }

    // ---------------------------------------------------------------- applied by the event handler

    /** New members see what is written from now on. */
    Active membersAdded(List<String> added) {
      added.forEach(m -> members.put(m, new Member(lastSeq, lastSeq, lastSeq, lastSeq)));
      formerMembersOwed.removeAll(added);
      return membershipChanged();
    }

    Active membershipChanged() {
      membershipUnsettled = true;
      return this;
    }

    /** A change not yet told everyone, or members never written to the member index. */
    boolean membershipOwed() {
      return membershipUnsettled || !membersIndexed;
    }

    /** Every member (and former member owed it) holds the current membership, or was told enough. */
    Active membershipSettled() {
      membershipUnsettled = false;
      membersIndexed = true;
      formerMembersOwed.clear();
      return this;
    }

    Active memberLeft(String userId) {
      return membersRemoved(List.of(userId));
    }

    /** A group's owner who leaves hands it on: to the longest-serving admin, else member. */
    Active membersRemoved(List<String> removed) {
      removed.forEach(members::remove);
      formerMembersOwed.addAll(removed);
      membershipChanged();
      admins.removeAll(removed);
      if (rolesOn && (owner == null || !members.containsKey(owner))) {
        owner = members.keySet().stream().filter(admins::contains).findFirst()
            .or(() -> members.keySet().stream().findFirst())
            .orElse(null);
        admins.remove(owner);
      }
      return this;
    }

    Active groupCreated(String creatorId, boolean withRoles) {
      rolesOn = withRoles;
      owner = withRoles ? creatorId : null;
      return membershipChanged();
    }

    Active roleChanged(String userId, boolean admin) {
      if (admin && members.containsKey(userId) && !userId.equals(owner)) {
        admins.add(userId);
      } else if (!admin) {
        admins.remove(userId);
      }
      return membershipChanged();
    }

    Active postingChanged(boolean onlyAdmins) {
      adminsOnlyPosting = onlyAdmins;
      return membershipChanged();
    }

    Active messagesAccepted(MessagesAccepted e) {
      if (lastSeq == cold.archivedThrough()) {
        oldestHotTs = e.messages().get(0).serverTs();
      }
      long windowMillis = e.dedupWindowMillis() > 0 ? e.dedupWindowMillis() : LEGACY_DEDUP_WINDOW_MILLIS;
      int maxEntries = e.dedupMaxEntries() > 0 ? e.dedupMaxEntries() : LEGACY_DEDUP_MAX_ENTRIES;
      for (StoredMessage m : e.messages()) {
        lastSeq = m.seq();
        lastMessageTs = m.serverTs();
        dedup.add(DedupWindow.key(m.senderId(), m.clientMsgId()), new DedupWindow.Entry(m.seq(), m.serverTs()),
            windowMillis, maxEntries);
        senders.append(m.seq(), m.senderId());
      }
      index.record(e.messages().get(0).seq(), e.writeSeqNr());
      return this;
    }

    Active handoffsConfirmed(Map<String, Long> storedThrough) {
      storedThrough.forEach((userId, seq) -> members.computeIfPresent(userId, (id, m) -> m.withHandedOff(seq)));
      return this;
    }

    /** Receipts move watermarks; who sent what is kept only until everyone has read it. */
    Active receiptsRecorded(List<Receipt> receipts) {
      for (Receipt r : receipts) {
        members.computeIfPresent(r.userId(), (id, m) -> m.withReceipt(r.status(), r.seq()));
      }
      senders.trimThrough(members.values().stream().mapToLong(m -> Math.min(m.delivered(), m.read())).min().orElse(0));
      return this;
    }

    Active messageDeleted(long seq) {
      deleted.add(seq);
      return this;
    }

    /**
     * A group forgets the member; a direct conversation's members are its id, so the member stays
     * but starts afresh: nothing through {@code throughSeq} is theirs or owed to them any more.
     */
    Active memberErased(ConversationActor.MemberErased e) {
      erasedSenders.merge(e.userId(), e.throughSeq(), Math::max);
      if (e.leaves()) {
        membersRemoved(List.of(e.userId()));
        formerMembersOwed.remove(e.userId()); // an erased account is told nothing (see MemberErasure)
      } else {
        members.computeIfPresent(e.userId(), (id, m) -> new Member(Math.max(m.since(), e.throughSeq()),
            Math.max(m.handedOff(), e.throughSeq()), m.delivered(), m.read()));
      }
      return this;
    }

    Active dedupSpilled(ConversationActor.DedupSpilled e) {
      dedup.dropSpilled(e.throughSeq(), e.untilTs());
      return this;
    }

    Active segmentArchived(SegmentArchived e) {
      cold.add(new Segment(e.fromSeq(), e.toSeq()));
      boolean hotRemain = lastSeq > e.toSeq();
      index.archivedThrough(e.toSeq(), hotRemain, e.keepFromSeqNr());
      oldestHotTs = hotRemain ? e.nextHotTs() : 0;
      trimThrough = Math.max(trimThrough, e.keepFromSeqNr() - 1);
      return this;
    }

    Active journalTrimmed(long throughSeqNr) {
      trimmedThrough = Math.max(trimmedThrough, throughSeqNr);
      return this;
    }
  }
}
