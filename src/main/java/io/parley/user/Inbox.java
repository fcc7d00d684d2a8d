package io.parley.user;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.parley.cluster.JsonSerializable;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The user's conversations with their last message, read position and unread messages. Unread
 * seqs are kept (up to a cap per conversation, beyond which only a count is) so that reading up
 * to any seq gives an exact count.
 */
public final class Inbox {
  static final int UNREAD_SEQS_KEPT = 500;
  /**
   * Unread seqs kept across the whole inbox: each costs about 2 bytes of the snapshot, so 1,000
   * entries of 500 would not fit a DynamoDB item. Beyond it the least recently active entries
   * keep only their count (exact again once a read passes them, as below).
   */
  static final int UNREAD_SEQS_KEPT_IN_ALL = 2_000;
  /**
   * Ranges of tombstones an entry remembers having taken off its count ({@link Entry#gone}); they
   * count towards {@link #UNREAD_SEQS_KEPT_IN_ALL} too, and an entry giving up its seqs to the
   * budget forgets them (a repeat of one may then be taken off again: rare on rare).
   */
  static final int GONE_RANGES_KEPT = 64;

  /**
   * {@code members} is null when the entry keeps only their number ({@code memberCount}): the
   * inbox keeps member lists, with group titles, within a budget (see {@link #keptMemberBytes}),
   * and the others are read from the conversation when a device is shown them ({@link MemberLists}).
   * A group's {@code title} is kept sealed ({@code SealedText}), and only with its member list:
   * sealed, a title takes several times its length. A direct conversation's (the other member's
   * id) is always kept.
   * {@code fingerprint} names the membership held ({@link ConversationInfo#fingerprint}); 0 in
   * entries stored before it was kept. {@code previewKeyId}: the key the preview is sealed with
   * (the last sender's, see {@link ChatMessage}); null for a preview in plain text. {@code sent}:
   * the user has sent a message here since it was kept (left out when false, so entries stored
   * before it was kept read as false); it makes the other members contacts ({@link #hasTalkedTo}).
   * {@code gone} ({@link SeqRanges}; null: none, and left out so entries stored before it read so):
   * the tombstones after the read mark already taken off the unread count, so that one told again
   * (a deletion notice repeated) is not taken off the count of seqs not kept a second time.
   */
  public record Entry(
      String title,
      List<String> members,
      long lastSeq,
      String preview,
      String lastSenderId,
      long lastMessageTs,
      long readSeq,
      List<Long> unreadSeqs,
      int unreadNotKept,
      int memberCount,
      long fingerprint,
      String previewKeyId,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean sent,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<Long> gone)
      implements JsonSerializable {

    public Entry {
      memberCount = members != null ? members.size() : memberCount;
    }

    int unreadCount() {
      return unreadSeqs.size() + unreadNotKept;
    }

    /** The seqs this entry keeps towards the inbox's budget: its unread and its gone ranges' bounds. */
    int keptSeqs() {
      return unreadSeqs.size() + (gone == null ? 0 : gone.size());
    }

    boolean membersKept() {
      return members != null;
    }

    private Entry withMembership(String title, List<String> members, int memberCount, long fingerprint) {
      return new Entry(title, members, lastSeq, preview, lastSenderId, lastMessageTs, readSeq, unreadSeqs,
          unreadNotKept, memberCount, fingerprint, previewKeyId, sent, gone);
    }

    private Entry withLast(long lastSeq, InboxPreview preview, String lastSenderId, long lastMessageTs,
        List<Long> unreadSeqs, int unreadNotKept, boolean sent) {
      return new Entry(title, members, lastSeq, preview.text(), lastSenderId, lastMessageTs, readSeq, unreadSeqs,
          unreadNotKept, memberCount, fingerprint, preview.keyId(), sent, gone);
    }

    private Entry withRead(long readSeq, List<Long> unreadSeqs, int unreadNotKept, List<Long> gone) {
      return new Entry(title, members, lastSeq, preview, lastSenderId, lastMessageTs, readSeq, unreadSeqs,
          unreadNotKept, memberCount, fingerprint, previewKeyId, sent, gone);
    }

    /** The user sent here (the last sender being the user counts too, for entries stored before {@code sent}). */
    boolean sentBy(String userId) {
      return sent || userId.equals(lastSenderId);
    }
  }

  private final HashMap<String, Entry> entries;
  /** The unread seqs the entries keep, derived (-1: not yet). */
  @JsonIgnore private transient long keptUnread = -1;
  /** Who the entries put the user with: derived, never stored. */
  @JsonIgnore private final transient InboxCircles circles;

  public Inbox() {
    this(new HashMap<>());
  }

  @JsonCreator
  public Inbox(@JsonProperty("entries") HashMap<String, Entry> entries) {
    this.entries = entries;
    this.circles = new InboxCircles(entries);
  }

  @JsonProperty("entries")
  Map<String, Entry> entries() {
    return entries;
  }

  /**
   * Whether {@code otherUserId} is a member of one of the conversations this inbox shows with
   * their members kept and where {@code userId} (the inbox's owner) has sent a message: someone
   * who only wrote to the user is not a contact until the user answers. A conversation the inbox
   * no longer keeps (beyond the newest 1,000) does not count; those whose members are not kept
   * are asked ({@link #sentToMembersNotKept}).
   */
  public boolean hasTalkedTo(String userId, String otherUserId) {
    return circles.hasTalkedTo(userId, otherUserId);
  }

  /** The conversations whose member lists this inbox does not keep. */
  List<String> membersNotKept() {
    return circles.membersNotKept();
  }

  /** Those of {@link #membersNotKept} where {@code userId} has sent a message. */
  List<String> sentToMembersNotKept(String userId) {
    return circles.sentToMembersNotKept(userId);
  }

  int membershipChanges() {
    return circles.membershipChanges();
  }

  private void membersChanged() {
    circles.membersChanged();
    keptUnread = -1; // entries came or went
  }

  public Optional<Entry> get(String conversationId) {
    return Optional.ofNullable(entries.get(conversationId));
  }

  /**
   * Records messages stored for {@code userId}; their own never count as unread. {@code info},
   * when given, is the membership they came with; without it, a conversation the inbox no longer
   * shows (the user left meanwhile) is not brought back. {@code memberBytes} is the budget of
   * {@link #keptMemberBytes} (0: none). {@code tombstones} ({@link SeqRanges}; null: none) were
   * deleted or erased before they came: not unread either. An entry made anew (the inbox had
   * dropped it) reads through {@code readThrough}, with {@code unreadBefore} unread before these.
   */
  public void addMessages(String userId, ConversationInfo info, String conversationId,
      List<PendingQueue.Item> messages, InboxPreview preview, int memberBytes, List<Long> tombstones,
      long readThrough, int unreadBefore) {
    boolean anew = info != null && !entries.containsKey(conversationId);
    Entry entry = info != null ? withMembership(userId, info, 0, memberBytes) : entries.get(conversationId);
    if (entry == null) {
      return;
    }
    if (anew) {
      entry = entry.withRead(readThrough, List.of(), unreadBefore, null); // older than these: counts, seqs not kept
    }
    List<Long> unread = new ArrayList<>(entry.unreadSeqs());
    int notKept = entry.unreadNotKept();
    boolean sent = entry.sent();
    for (PendingQueue.Item m : messages) {
      if (!m.senderId().equals(userId) && m.seq() > entry.readSeq()
          && (tombstones == null || !SeqRanges.covers(tombstones, m.seq()))) {
        unread.add(m.seq());
      }
      sent |= m.senderId().equals(userId);
    }
    while (unread.size() > UNREAD_SEQS_KEPT) {
      unread.remove(0);
      notKept++;
    }
    long keptBefore = keptUnread();
    PendingQueue.Item last = messages.get(messages.size() - 1);
    entries.put(conversationId, entry.withLast(last.seq(), preview, last.senderId(), last.serverTs(), unread, notKept, sent));
    keptUnread = keptBefore - entry.keptSeqs() + entries.get(conversationId).keptSeqs();
    if (sent && !entry.sent()) {
      membersChanged(); // the members became contacts
    }
    keepUnreadWithinBudget();
  }

  /** {@link #addMessages} of messages none of which is a tombstone. */
  void addMessages(String userId, ConversationInfo info, String conversationId, List<PendingQueue.Item> messages,
      InboxPreview preview, int memberBytes) {
    addMessages(userId, info, conversationId, messages, preview, memberBytes, null, 0, 0);
  }

  long keptUnread() {
    if (keptUnread < 0) {
      keptUnread = entries.values().stream().mapToLong(Entry::keptSeqs).sum();
    }
    return keptUnread;
  }

  /** The least recently active entries keep counts instead of seqs until all fit the budget. */
  private void keepUnreadWithinBudget() {
    while (keptUnread() > UNREAD_SEQS_KEPT_IN_ALL) {
      Map.Entry<String, Entry> oldest = entries.entrySet().stream()
          .filter(e -> e.getValue().keptSeqs() > 0)
          .min(Comparator.comparingLong((Map.Entry<String, Entry> e) -> e.getValue().lastMessageTs())
              .thenComparing(Map.Entry::getKey))
          .orElseThrow();
      Entry e = oldest.getValue();
      entries.put(oldest.getKey(), e.withRead(e.readSeq(), List.of(), e.unreadNotKept() + e.unreadSeqs().size(), null));
      keptUnread -= e.keptSeqs();
    }
  }

  /** Joins, renames or membership changes; leaving removes the conversation. */
  public void update(String userId, ConversationInfo info, long lastMessageTs, int memberBytes) {
    if (!info.members().contains(userId)) {
      if (entries.remove(info.conversationId()) != null) {
        membersChanged();
      }
      return;
    }
    withMembership(userId, info, lastMessageTs, memberBytes);
  }

  /**
   * Puts {@code info}'s membership into the conversation's entry (a new one at {@code ts}), its
   * member list kept if it fits within {@code memberBytes} with the others kept; returns the entry.
   */
  private Entry withMembership(String userId, ConversationInfo info, long ts, int memberBytes) {
    Entry entry = entries.get(info.conversationId());
    long fingerprint = info.fingerprint();
    if (entry == null) {
      entry = new Entry(null, List.of(), 0, null, null, ts, 0, List.of(), 0, 0, 0, null, false, null);
    } else if (entry.fingerprint() == fingerprint && entry.membersKept() && entry.members().equals(info.members())) {
      return entry;
    }
    long others = keptMemberBytes() - (entry.membersKept() ? InboxCircles.bytes(entry) : 0);
    boolean keep = memberBytes <= 0 || others + InboxCircles.bytes(info.members()) + InboxCircles.bytes(info.title()) <= memberBytes;
    String title = keep || info.title() == null ? info.titleFor(userId) : null;
    entry = entry.withMembership(title, keep ? info.members() : null, info.members().size(), fingerprint);
    entries.put(info.conversationId(), entry);
    membersChanged();
    return entry;
  }

  /** What the kept member lists and titles take in the snapshot ({@link InboxCircles#keptMemberBytes}). */
  long keptMemberBytes() {
    return circles.keptMemberBytes();
  }

  static long bytes(List<String> members) {
    return InboxCircles.bytes(members);
  }

  /**
   * Messages of the conversation read as tombstones now (deleted for everyone, or their sender's
   * account erased): {@code tombstones} ({@link SeqRanges}, other members' messages; null: none)
   * no longer count as unread, and if the last message, {@code seq}, is one, the entry shows
   * {@link InboxPreview#DELETED} for it. Unread seqs not kept are those after the read mark and
   * before the oldest kept (or through the last, if none is kept), so a tombstone there takes one
   * off their count: once, as the entry's {@code gone} remembers it until a read passes it.
   */
  public void messagesGone(String conversationId, long seq, List<Long> tombstones) {
    Entry entry = entries.get(conversationId);
    if (entry == null) {
      return;
    }
    List<Long> fresh = tombstones == null ? null
        : SeqRanges.newWithin(tombstones, entry.gone(), entry.readSeq() + 1, entry.lastSeq());
    if (fresh != null) {
      List<Long> unread = entry.unreadSeqs().stream().filter(s -> !SeqRanges.covers(fresh, s)).toList();
      long notKeptThrough = entry.unreadSeqs().isEmpty() ? entry.lastSeq() : entry.unreadSeqs().get(0) - 1;
      long notKeptGone = SeqRanges.countWithin(fresh, entry.readSeq() + 1, notKeptThrough);
      entry = entry.withRead(entry.readSeq(), unread, (int) Math.max(0, entry.unreadNotKept() - notKeptGone),
          SeqRanges.union(entry.gone(), fresh, GONE_RANGES_KEPT));
      entries.put(conversationId, entry);
      keptUnread = -1;
    }
    if (entry.lastSeq() == seq) {
      entries.put(conversationId, entry.withLast(entry.lastSeq(), InboxPreview.DELETED, entry.lastSenderId(),
          entry.lastMessageTs(), entry.unreadSeqs(), entry.unreadNotKept(), entry.sent()));
    }
    keepUnreadWithinBudget(); // gone ranges count towards it
  }

  public void markRead(String conversationId, long seq) {
    Entry entry = entries.get(conversationId);
    if (entry == null || seq <= entry.readSeq()) {
      return;
    }
    List<Long> unread = entry.unreadSeqs().stream().filter(s -> s > seq).toList();
    // Unread seqs not kept are older than every kept one: reading past the oldest kept reads
    // those too. With none kept (the inbox's budget took them), only a read of the newest does.
    boolean readPastNotKept = entry.unreadSeqs().isEmpty()
        ? seq >= entry.lastSeq()
        : seq >= entry.unreadSeqs().get(0);
    entries.put(conversationId, entry.withRead(seq, unread, readPastNotKept ? 0 : entry.unreadNotKept(),
        SeqRanges.after(entry.gone(), seq)));
    keptUnread = -1;
  }

  /** Keeps the most recently active conversations; the others return with their next message. */
  public void dropOldestBeyond(int maxEntries) {
    if (entries.size() <= maxEntries) {
      return;
    }
    membersChanged();
    entries.entrySet().stream()
        .sorted(Comparator.comparingLong(e -> e.getValue().lastMessageTs()))
        .limit(entries.size() - maxEntries)
        .map(Map.Entry::getKey)
        .toList()
        .forEach(entries::remove);
  }

  public int totalUnread() {
    return entries.values().stream().mapToInt(Entry::unreadCount).sum();
  }

  public InboxItem item(String conversationId) {
    Entry e = entries.get(conversationId);
    return new InboxItem(conversationId, e.title(), e.members(), e.lastSeq(), e.preview(),
        e.lastSenderId(), e.lastMessageTs(), e.unreadCount(), e.previewKeyId());
  }

  /** Newest first, then by conversation id, from {@code cursor} on. */
  public List<InboxItem> page(int limit, InboxCursor cursor) {
    return entries.entrySet().stream()
        .filter(e -> cursor.admits(e.getValue().lastMessageTs(), e.getKey()))
        .sorted(Comparator.comparingLong((Map.Entry<String, Entry> e) -> e.getValue().lastMessageTs())
            .reversed()
            .thenComparing(Map.Entry::getKey))
        .limit(limit)
        .map(e -> item(e.getKey()))
        .toList();
  }

  Inbox copy() {
    return new Inbox(new HashMap<>(entries));
  }
}
