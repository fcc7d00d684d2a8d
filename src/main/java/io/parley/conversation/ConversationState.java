package io.parley.conversation;

import io.parley.cluster.JsonSerializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a {@link ConversationActor} has stored, and the queries its command side asks of it. Only
 * its event handler ({@link ConversationEvents}) changes it, through {@link ActiveMembership} and
 * {@link ActiveMessages}, which read nothing but the state and the event: replaying the same
 * events builds the same state under any configuration.
 */
public final class ConversationState {
  private ConversationState() {}

  public sealed interface State extends JsonSerializable {}

  /** Nothing stored yet: a group not created, or a direct conversation before its first send. */
  public record Empty() implements State {}

  /** How many members a large group's message reached live ({@code delivered}) and how many read it. */
  public record ReceiptCount(String senderId, long delivered, long read) implements JsonSerializable {}

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

    /** A change not yet told everyone, or members never written to the member index. */
    boolean membershipOwed() {
      return membershipUnsettled || !membersIndexed;
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

    /**
     * Through which seq {@code userId}'s messages are an erased account's (0: none): the same id
     * come back starts afresh after it, and is neither their sender nor told of them.
     */
    long erasedThrough(String userId) {
      return erasedSenders.getOrDefault(userId, 0L);
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
  }
}
