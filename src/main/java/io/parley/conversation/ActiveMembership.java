package io.parley.conversation;

import io.parley.conversation.ConversationState.Active;
import java.util.List;

/**
 * How events change an {@link Active} conversation's members, roles, title and the member rows a
 * large group owes the store. Part of the pure event handler ({@link ConversationEvents}): each
 * method reads nothing but the state and the event.
 */
final class ActiveMembership {
  private ActiveMembership() {}

  /** New members see what is written from now on. */
  static Active membersAdded(Active state, List<String> added) {
    long lastSeq = state.lastSeq;
    added.forEach(m -> state.members.put(m, new Member(lastSeq, lastSeq, lastSeq, lastSeq)));
    state.formerMembersOwed.removeAll(added);
    return membershipChanged(state);
  }

  static Active membershipChanged(Active state) {
    state.membershipUnsettled = true;
    return state;
  }

  /** Every member (and former member owed it) holds the current membership, or was told enough. */
  static Active membershipSettled(Active state) {
    state.membershipUnsettled = false;
    state.membersIndexed = true;
    state.formerMembersOwed.clear();
    return state;
  }

  static Active memberLeft(Active state, String userId) {
    return membersRemoved(state, List.of(userId));
  }

  /**
   * A group's owner who leaves hands it on: to the longest-serving admin, else member. A group
   * whose last member went (or a large one with no admin left) has no owner.
   */
  static Active membersRemoved(Active state, List<String> removed) {
    removed.forEach(state.members::remove);
    state.formerMembersOwed.addAll(removed);
    membershipChanged(state);
    state.admins.removeAll(removed);
    if (state.large) {
      if (state.rolesOn && (state.owner == null || removed.contains(state.owner))) {
        state.owner = state.admins.pollFirst(); // its members are rows: an admin, else no one
      }
      return state;
    }
    if (state.rolesOn && (state.owner == null || !state.members.containsKey(state.owner))) {
      state.owner = state.members.keySet().stream().filter(state.admins::contains).findFirst()
          .or(() -> state.members.keySet().stream().findFirst())
          .orElse(null);
      if (state.owner != null) {
        state.admins.remove(state.owner);
      }
    }
    return state;
  }

  static Active groupCreated(Active state, String creatorId, boolean withRoles) {
    state.rolesOn = withRoles;
    state.owner = withRoles ? creatorId : null;
    return membershipChanged(state);
  }

  /** A large group's members are rows: its command side checked that one named admin is a member. */
  static Active roleChanged(Active state, String userId, boolean admin) {
    if (admin && (state.large || state.members.containsKey(userId)) && !userId.equals(state.owner)) {
      state.admins.add(userId);
    } else if (!admin) {
      state.admins.remove(userId);
    }
    return membershipChanged(state);
  }

  static Active postingChanged(Active state, boolean onlyAdmins) {
    state.adminsOnlyPosting = onlyAdmins;
    return membershipChanged(state);
  }

  static Active renamed(Active state, String sealedTitle) {
    state.title = sealedTitle;
    return membershipChanged(state);
  }

  /** Every member moves to a row: the group is large from now on. */
  static Active becameLarge(Active state, List<GroupMembers.Row> rows) {
    state.large = true;
    state.largeMemberCount = rows.size();
    state.formerMembersOwed.addAll(state.members.keySet()); // their user entities drop it from their inboxes
    state.members.clear();
    state.rowsToAdd.addAll(rows);
    state.lastMessage = null;
    return membershipChanged(state);
  }

  static Active largeMembersChanged(Active state, List<GroupMembers.Row> added, List<String> removed) {
    state.largeMemberCount += added.size() - removed.size();
    // A row owed both ways goes the way of the newest change.
    List<String> addedIds = added.stream().map(GroupMembers.Row::userId).toList();
    state.rowsToRemove.removeAll(addedIds);
    state.rowsToAdd.removeIf(row -> removed.contains(row.userId()));
    state.rowsToAdd.addAll(added);
    state.rowsToRemove.addAll(removed);
    state.formerMembersOwed.removeAll(addedIds);
    // Counts are told their sender: one who went is told no more of the group's receipts.
    state.counted.values().removeIf(count -> removed.contains(count.senderId()));
    return removed.isEmpty() ? membershipChanged(state) : membersRemoved(state, removed);
  }

  /** The first rows owed are written (more may have come meanwhile). */
  static Active memberRowsWritten(Active state, int added, int removed) {
    state.rowsToAdd.subList(0, Math.min(added, state.rowsToAdd.size())).clear();
    state.rowsToRemove.subList(0, Math.min(removed, state.rowsToRemove.size())).clear();
    return state;
  }

  /**
   * A group forgets the member; a direct conversation's members are its id, so the member stays
   * but starts afresh: nothing through {@code throughSeq} is theirs or owed to them any more.
   */
  static Active memberErased(Active state, ConversationActor.MemberErased e) {
    state.erasedSenders.merge(e.userId(), e.throughSeq(), Math::max);
    if (e.leaves() && state.large) {
      largeMembersChanged(state, List.of(), List.of(e.userId()));
      state.formerMembersOwed.remove(e.userId());
    } else if (e.leaves()) {
      membersRemoved(state, List.of(e.userId()));
      state.formerMembersOwed.remove(e.userId()); // an erased account is told nothing (see MemberErasure)
    } else {
      state.members.computeIfPresent(e.userId(), (id, m) -> new Member(Math.max(m.since(), e.throughSeq()),
          Math.max(m.handedOff(), e.throughSeq()), m.delivered(), m.read()));
    }
    return state;
  }
}
