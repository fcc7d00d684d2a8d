package io.parley.user;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.parley.cluster.JsonSerializable;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The user's conversations with their last message, read position and unread messages. Unread
 * seqs are kept (up to a cap per conversation, beyond which only a count is) so that reading up
 * to any seq gives an exact count.
 */
public final class Inbox {
  static final int PREVIEW_CHARS = 100;
  static final int UNREAD_SEQS_KEPT = 500;

  public record Entry(
      String title,
      List<String> members,
      long lastSeq,
      String preview,
      String lastSenderId,
      long lastMessageTs,
      long readSeq,
      List<Long> unreadSeqs,
      int unreadNotKept)
      implements JsonSerializable {

    int unreadCount() {
      return unreadSeqs.size() + unreadNotKept;
    }
  }

  private final HashMap<String, Entry> entries;
  /**
   * Everyone who shares a conversation of the inbox, derived from the entries and dropped
   * whenever a member list changes: presence is checked on every renewal and after every write,
   * and rebuilding this is a scan of every member list. Never stored.
   */
  @JsonIgnore private transient Set<String> coMembers;

  public Inbox() {
    this(new HashMap<>());
  }

  @JsonCreator
  public Inbox(@JsonProperty("entries") HashMap<String, Entry> entries) {
    this.entries = entries;
  }

  @JsonProperty("entries")
  Map<String, Entry> entries() {
    return entries;
  }

  /**
   * Whether {@code otherUserId} is a member of one of the conversations this inbox shows. A
   * conversation the inbox no longer keeps (beyond the newest 1,000) does not count.
   */
  public boolean sharesConversationWith(String otherUserId) {
    if (coMembers == null) {
      Set<String> members = new HashSet<>();
      entries.values().forEach(entry -> members.addAll(entry.members()));
      coMembers = members;
    }
    return coMembers.contains(otherUserId);
  }

  private void membersMayChange(List<String> before, List<String> after) {
    if (!before.equals(after)) {
      coMembers = null;
    }
  }

  public Optional<Entry> get(String conversationId) {
    return Optional.ofNullable(entries.get(conversationId));
  }

  /**
   * As {@link #addMessages(String, ConversationInfo, List, String)}, for a conversation the inbox
   * shows already; one it no longer shows (the user left meanwhile) is not brought back.
   */
  public void addMessages(String userId, String conversationId, List<PendingQueue.Item> messages, String preview) {
    Entry entry = entries.get(conversationId);
    if (entry != null) {
      addMessages(userId, new ConversationInfo(conversationId, entry.title(), entry.members(), 0), messages, preview);
    }
  }

  /** Records messages stored for {@code userId}; their own never count as unread. */
  public void addMessages(
      String userId, ConversationInfo info, List<PendingQueue.Item> messages, String preview) {
    Entry entry = entries.getOrDefault(info.conversationId(), emptyEntry(userId, info, 0));
    List<Long> unread = new ArrayList<>(entry.unreadSeqs());
    int notKept = entry.unreadNotKept();
    for (PendingQueue.Item m : messages) {
      if (!m.senderId().equals(userId) && m.seq() > entry.readSeq()) {
        unread.add(m.seq());
      }
    }
    while (unread.size() > UNREAD_SEQS_KEPT) {
      unread.remove(0);
      notKept++;
    }
    PendingQueue.Item last = messages.get(messages.size() - 1);
    membersMayChange(get(info.conversationId()).map(Entry::members).orElse(List.of()), info.members());
    entries.put(
        info.conversationId(),
        new Entry(
            info.titleFor(userId),
            info.members(),
            last.seq(),
            preview,
            last.senderId(),
            last.serverTs(),
            entry.readSeq(),
            unread,
            notKept));
  }

  /** Joins, renames or membership changes; leaving removes the conversation. */
  public void update(String userId, ConversationInfo info, long lastMessageTs) {
    membersMayChange(get(info.conversationId()).map(Entry::members).orElse(List.of()), info.members());
    if (!info.members().contains(userId)) {
      entries.remove(info.conversationId());
      return;
    }
    Entry entry = entries.get(info.conversationId());
    if (entry == null) {
      entries.put(info.conversationId(), emptyEntry(userId, info, lastMessageTs));
    } else {
      entries.put(
          info.conversationId(),
          new Entry(info.titleFor(userId), info.members(), entry.lastSeq(), entry.preview(),
              entry.lastSenderId(), entry.lastMessageTs(), entry.readSeq(), entry.unreadSeqs(),
              entry.unreadNotKept()));
    }
  }

  /** The last message, {@code seq}, was deleted for everyone: the entry shows no preview of it. */
  public void previewDeleted(String conversationId, long seq) {
    Entry entry = entries.get(conversationId);
    if (entry != null && entry.lastSeq() == seq) {
      entries.put(conversationId, new Entry(entry.title(), entry.members(), entry.lastSeq(), "",
          entry.lastSenderId(), entry.lastMessageTs(), entry.readSeq(), entry.unreadSeqs(), entry.unreadNotKept()));
    }
  }

  public void markRead(String conversationId, long seq) {
    Entry entry = entries.get(conversationId);
    if (entry == null || seq <= entry.readSeq()) {
      return;
    }
    List<Long> unread = entry.unreadSeqs().stream().filter(s -> s > seq).toList();
    // Unread seqs not kept are older than every kept one: reading past the oldest kept (or all
    // of them) reads those too.
    boolean readPastNotKept = entry.unreadSeqs().isEmpty() || seq >= entry.unreadSeqs().get(0);
    entries.put(
        conversationId,
        new Entry(entry.title(), entry.members(), entry.lastSeq(), entry.preview(),
            entry.lastSenderId(), entry.lastMessageTs(), seq, unread,
            readPastNotKept ? 0 : entry.unreadNotKept()));
  }

  /** Keeps the most recently active conversations; the others return with their next message. */
  public void dropOldestBeyond(int maxEntries) {
    if (entries.size() <= maxEntries) {
      return;
    }
    coMembers = null;
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
        e.lastSenderId(), e.lastMessageTs(), e.unreadCount());
  }

  /** Newest first, strictly older than {@code beforeTs} when given. */
  public List<InboxItem> page(int limit, Long beforeTs) {
    return entries.entrySet().stream()
        .filter(e -> beforeTs == null || e.getValue().lastMessageTs() < beforeTs)
        .sorted(Comparator.comparingLong((Map.Entry<String, Entry> e) -> e.getValue().lastMessageTs())
            .reversed()
            .thenComparing(Map.Entry::getKey))
        .limit(limit)
        .map(e -> item(e.getKey()))
        .toList();
  }

  private static Entry emptyEntry(String userId, ConversationInfo info, long ts) {
    return new Entry(info.titleFor(userId), info.members(), 0, null, null, ts, 0, List.of(), 0);
  }

  static String preview(ChatMessage message) {
    if ("media".equals(message.contentType())) {
      return "[media]";
    }
    String content = message.content();
    if (content.codePointCount(0, content.length()) <= PREVIEW_CHARS) {
      return content;
    }
    int end = content.offsetByCodePoints(0, PREVIEW_CHARS - 1);
    return content.substring(0, end) + "…";
  }

  Inbox copy() {
    return new Inbox(new HashMap<>(entries));
  }
}
