package io.parley.conversation;

import io.parley.cluster.JsonSerializable;
import io.parley.conversation.ConversationActor.MessagesAccepted;
import io.parley.conversation.ConversationActor.Receipt;
import io.parley.conversation.ConversationActor.SegmentArchived;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

  /** How many members a large group's message reached live ({@code delivered}) and how many read it. */
  public record ReceiptCount(String senderId, long delivered, long read) implements JsonSerializable {}

  /** A large group counts the receipts of this many of its newest messages. */
  static final int COUNTED_MESSAGES = 256;

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
    /** Deletion notices members have not confirmed storing: sent again until they do. */
    public DeletionNoticesOwed deletionNoticesOwed = new DeletionNoticesOwed();
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
    /** A large group's members are rows ({@link GroupMembers}), not {@code members}, which stays empty. */
    public boolean large;
    public long largeMemberCount;
    /** Member rows a large group owes the store: written after the event that changed them, again after a restart. */
    public ArrayList<GroupMembers.Row> rowsToAdd = new ArrayList<>();
    public ArrayList<String> rowsToRemove = new ArrayList<>();
    /** A large group's receipts, as counts of its newest messages (see {@link ReceiptTally}). */
    public TreeMap<Long, ReceiptCount> counted = new TreeMap<>();
    /** A large group's newest message: the inbox of each member shows it without being told. */
    public StoredMessage lastMessage;
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

    /**
     * The seq after which messages are {@code userId}'s (0 when all are, or when unknown). In a large
     * group, as far as {@code known} says (not state: {@link LargeMembers} fills it before asking).
     */
    long sinceOf(String userId, KnownMembers known) {
      if (!large) {
        Member member = members.get(userId);
        return member == null ? 0 : member.since();
      }
      return known.row(userId).map(GroupMembers.Row::since).orElse(0L);
    }

    boolean isMember(String userId, KnownMembers known) {
      if (!large) {
        return members.containsKey(userId);
      }
      return userId.equals(owner) || admins.contains(userId) || known.isMember(userId);
    }

    long memberCount() {
      return large ? largeMemberCount : members.size();
    }

    boolean rowsOwed() {
      return !rowsToAdd.isEmpty() || !rowsToRemove.isEmpty();
    }

    /** Adds and removes members, changes posting: an owner or admin, or any member without roles. */
    boolean mayManage(String userId, KnownMembers known) {
      return isMember(userId, known) && (!rolesOn || userId.equals(owner) || admins.contains(userId));
    }

    String roleOf(String userId) {
      return userId.equals(owner) ? "owner" : admins.contains(userId) ? "admin" : "member";
    }

    boolean mayPost(String userId, KnownMembers known) {
      return !adminsOnlyPosting || mayManage(userId, known);
    }

    ConversationInfo info(String conversationId) {
      return new ConversationInfo(conversationId, title, List.copyOf(members.keySet()), lastSeq,
          rolesOn ? new GroupRoles(owner, List.copyOf(admins), adminsOnlyPosting) : null, memberCount());
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
      copy.deletionNoticesOwed = deletionNoticesOwed.copy();
      copy.erasedSenders = new HashMap<>(erasedSenders);
      copy.rolesOn = rolesOn;
      copy.owner = owner;
      copy.admins = new TreeSet<>(admins);
      copy.adminsOnlyPosting = adminsOnlyPosting;
      copy.membershipUnsettled = membershipUnsettled;
      copy.membersIndexed = membersIndexed;
      copy.formerMembersOwed = new TreeSet<>(formerMembersOwed);
      copy.large = large;
      copy.largeMemberCount = largeMemberCount;
      copy.rowsToAdd = new ArrayList<>(rowsToAdd);
      copy.rowsToRemove = new ArrayList<>(rowsToRemove);
      copy.lastMessage = lastMessage;
      copy.counted = new TreeMap<>(counted);
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

    /**
     * A group's owner who leaves hands it on: to the longest-serving admin, else member. A group
     * whose last member went (or a large one with no admin left) has no owner.
     */
    Active membersRemoved(List<String> removed) {
      removed.forEach(members::remove);
      formerMembersOwed.addAll(removed);
      membershipChanged();
      admins.removeAll(removed);
      if (large) {
        if (rolesOn && (owner == null || removed.contains(owner))) {
          owner = admins.pollFirst(); // its members are rows: an admin, else no one
        }
        return this;
      }
      if (rolesOn && (owner == null || !members.containsKey(owner))) {
        owner = members.keySet().stream().filter(admins::contains).findFirst()
            .or(() -> members.keySet().stream().findFirst())
            .orElse(null);
        if (owner != null) {
          admins.remove(owner);
        }
      }
      return this;
    }

    Active groupCreated(String creatorId, boolean withRoles) {
      rolesOn = withRoles;
      owner = withRoles ? creatorId : null;
      return membershipChanged();
    }

    /** A large group's members are rows: its command side checked that one named admin is a member. */
    Active roleChanged(String userId, boolean admin) {
      if (admin && (large || members.containsKey(userId)) && !userId.equals(owner)) {
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

    Active renamed(String sealedTitle) {
      title = sealedTitle;
      return membershipChanged();
    }

    /** Every member moves to a row: the group is large from now on. */
    Active becameLarge(List<GroupMembers.Row> rows) {
      large = true;
      largeMemberCount = rows.size();
      formerMembersOwed.addAll(members.keySet()); // their user entities drop it from their inboxes
      members.clear();
      rowsToAdd.addAll(rows);
      lastMessage = null;
      return membershipChanged();
    }

    Active largeMembersChanged(List<GroupMembers.Row> added, List<String> removed) {
      largeMemberCount += added.size() - removed.size();
      // A row owed both ways goes the way of the newest change.
      List<String> addedIds = added.stream().map(GroupMembers.Row::userId).toList();
      rowsToRemove.removeAll(addedIds);
      rowsToAdd.removeIf(row -> removed.contains(row.userId()));
      rowsToAdd.addAll(added);
      rowsToRemove.addAll(removed);
      formerMembersOwed.removeAll(addedIds);
      // Counts are told their sender: one who went is told no more of the group's receipts.
      counted.values().removeIf(count -> removed.contains(count.senderId()));
      return removed.isEmpty() ? membershipChanged() : membersRemoved(removed);
    }

    /** Counts added to messages still counted; older ones keep what they had. */
    Active receiptsCounted(List<ConversationActor.CountAdded> added) {
      for (ConversationActor.CountAdded a : added) {
        counted.computeIfPresent(a.seq(), (seq, c) -> new ReceiptCount(c.senderId(), c.delivered() + a.delivered(),
            c.read() + a.read()));
      }
      return this;
    }

    /** The first rows owed are written (more may have come meanwhile). */
    Active memberRowsWritten(int added, int removed) {
      rowsToAdd.subList(0, Math.min(added, rowsToAdd.size())).clear();
      rowsToRemove.subList(0, Math.min(removed, rowsToRemove.size())).clear();
      return this;
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
      if (large) {
        lastMessage = e.messages().get(e.messages().size() - 1);
        e.messages().forEach(m -> counted.put(m.seq(), new ReceiptCount(m.senderId(), 0, 0)));
        while (counted.size() > COUNTED_MESSAGES) {
          counted.pollFirstEntry();
        }
      }
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

    /** Deletions recorded before notices were confirmed name no one who deleted them: none is owed. */
    Active messageDeleted(ConversationActor.MessageDeleted e) {
      deleted.add(e.seq());
      if (e.deletedBy() != null && !large) {
        deletionNoticesOwed.owe(e.seq(), e.deletedBy(), e.ts());
      }
      return this;
    }

    Active deletionNoticesSettled(Map<Long, List<String>> settled) {
      deletionNoticesOwed.settle(settled, members);
      return this;
    }

    /**
     * A group forgets the member; a direct conversation's members are its id, so the member stays
     * but starts afresh: nothing through {@code throughSeq} is theirs or owed to them any more.
     */
    Active memberErased(ConversationActor.MemberErased e) {
      erasedSenders.merge(e.userId(), e.throughSeq(), Math::max);
      if (e.leaves() && large) {
        largeMembersChanged(List.of(), List.of(e.userId()));
        formerMembersOwed.remove(e.userId());
      } else if (e.leaves()) {
        membersRemoved(List.of(e.userId()));
        formerMembersOwed.remove(e.userId()); // an erased account is told nothing (see MemberErasure)
      } else {
        members.computeIfPresent(e.userId(), (id, m) -> new Member(Math.max(m.since(), e.throughSeq()),
            Math.max(m.handedOff(), e.throughSeq()), m.delivered(), m.read()));
      }
      return this;
    }

    Active dedupSpilled(ConversationActor.DedupSpilled e) {
      dedup.dropSpilled(e.throughSeq(), e.untilTs(), e.generation(),
          e.windowMillis() > 0 ? e.windowMillis() : LEGACY_DEDUP_WINDOW_MILLIS);
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
