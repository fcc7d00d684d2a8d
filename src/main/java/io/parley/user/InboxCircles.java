package io.parley.user;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who the inbox's conversations put the user with, derived from its entries' member lists and
 * never stored: contacts, and the bytes the kept lists take. Each is built on first use
 * and dropped by {@link #membersChanged} whenever a member list changes.
 */
final class InboxCircles {
  private final Map<String, Inbox.Entry> entries;
  /**
   * The user's contacts: everyone in a conversation of the inbox where the user has sent a
   * message, dropped also when the user first sends somewhere: presence is checked on every
   * renewal and after every write, and rebuilding this is a scan of every member list.
   */
  private Set<String> contacts;
  /** The bytes the kept member lists take in the snapshot (-1: not yet). */
  private long keptMemberBytes = -1;
  /** Counts changes of member lists, kept or not, while the entity runs: presence lookups of this
   *  inbox are valid while it stays. */
  private int membershipChanges;

  InboxCircles(Map<String, Inbox.Entry> entries) {
    this.entries = entries;
  }

  boolean hasTalkedTo(String userId, String otherUserId) {
    if (contacts == null) {
      Set<String> members = new HashSet<>();
      entries.values().stream().filter(entry -> entry.membersKept() && entry.sentBy(userId))
          .forEach(entry -> members.addAll(entry.members()));
      contacts = members;
    }
    return contacts.contains(otherUserId);
  }

  List<String> membersNotKept() {
    return entries.entrySet().stream().filter(e -> !e.getValue().membersKept()).map(Map.Entry::getKey).toList();
  }

  List<String> sentToMembersNotKept(String userId) {
    return entries.entrySet().stream().filter(e -> !e.getValue().membersKept() && e.getValue().sentBy(userId))
        .map(Map.Entry::getKey).toList();
  }

  int membershipChanges() {
    return membershipChanges;
  }

  void membersChanged() {
    contacts = null;
    keptMemberBytes = -1;
    membershipChanges++;
  }

  /**
   * What the kept member lists and titles take in the snapshot's JSON: each id (ASCII by the id
   * grammar) with its quotes and comma, and each title (sealed: ASCII too). The budget is checked
   * against this, so it bounds bytes, however long the ids are.
   */
  long keptMemberBytes() {
    if (keptMemberBytes < 0) {
      keptMemberBytes = entries.values().stream().filter(Inbox.Entry::membersKept).mapToLong(InboxCircles::bytes).sum();
    }
    return keptMemberBytes;
  }

  static long bytes(Inbox.Entry entry) {
    return bytes(entry.members()) + bytes(entry.title());
  }

  /** A title with its quotes and comma, and the escapes of a sealed one's three marks. */
  static long bytes(String title) {
    return title == null ? 0 : title.length() + 18L;
  }

  static long bytes(List<String> members) {
    return members.stream().mapToLong(member -> member.length() + 3L).sum();
  }
}
