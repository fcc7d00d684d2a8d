package io.parley.conversation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A large group's membership as far as it was looked up in its rows, most recently used first:
 * who is a member (with their row) and who is not. Bounded, so that a million members do not
 * all come to live in the entity; what falls out is looked up again when it is next needed.
 */
final class KnownMembers {
  static final int CAPACITY = 5_000; // about 1 MB of a node's heap per large group awake
  private static final GroupMembers.Row NOT_A_MEMBER = new GroupMembers.Row("", 0, 0);

  private final LinkedHashMap<String, GroupMembers.Row> known = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, GroupMembers.Row> eldest) {
      return size() > CAPACITY;
    }
  };

  boolean knows(String userId) {
    return known.containsKey(userId);
  }

  boolean isMember(String userId) {
    GroupMembers.Row row = known.get(userId);
    return row != null && row != NOT_A_MEMBER;
  }

  /** The member's row, if known to be one. */
  Optional<GroupMembers.Row> row(String userId) {
    return Optional.ofNullable(known.get(userId)).filter(row -> row != NOT_A_MEMBER);
  }

  void joined(GroupMembers.Row row) {
    known.put(row.userId(), row);
  }

  void left(String userId) {
    known.put(userId, NOT_A_MEMBER);
  }

  void clear() {
    known.clear();
  }
}
