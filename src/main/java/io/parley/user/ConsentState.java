package io.parley.user;

import io.parley.cluster.JsonSerializable;
import java.util.LinkedHashMap;

/**
 * A user's part of {@link UserState} that {@link GroupConsent} keeps: the policy they chose (null:
 * the node's default), the invites waiting for an answer (oldest first), and what they created and
 * added on the day {@code quotaDay} (UTC days since the epoch).
 */
public final class ConsentState implements JsonSerializable {
  public GroupAddPolicy policy;
  public LinkedHashMap<String, GroupConsent.Invite> invites = new LinkedHashMap<>();
  public long quotaDay;
  public int groupsCreated;
  public int membersAdded;

  int groupsCreatedOn(long day) {
    return day == quotaDay ? groupsCreated : 0;
  }

  int membersAddedOn(long day) {
    return day == quotaDay ? membersAdded : 0;
  }

  /**
   * The invites that go to make room for {@code invite} under {@code maxInvites} (at least 1), the
   * oldest first: what {@link #apply} drops, and what the devices are told was revoked.
   */
  java.util.List<String> droppedFor(GroupConsent.Invite invite, int maxInvites) {
    int over = invites.size() + (invites.containsKey(invite.conversationId()) ? 0 : 1) - maxInvites;
    return invites.keySet().stream().filter(id -> !id.equals(invite.conversationId()))
        .limit(Math.max(0, over)).toList();
  }

  void apply(GroupConsent.InviteReceived e) {
    droppedFor(e.invite(), e.maxInvites()).forEach(invites::remove);
    invites.remove(e.invite().conversationId());
    invites.put(e.invite().conversationId(), e.invite());
  }

  void apply(GroupConsent.InviteAnswered e) {
    invites.remove(e.conversationId());
  }

  void apply(GroupConsent.GroupAddsChosen e) {
    policy = e.policy();
  }

  void apply(GroupConsent.GroupQuotaSpent e) {
    if (e.day() != quotaDay) {
      quotaDay = e.day();
      groupsCreated = 0;
      membersAdded = 0;
    }
    groupsCreated = Math.max(0, groupsCreated + e.groups());
    membersAdded = Math.max(0, membersAdded + e.members());
  }

  ConsentState copy() {
    ConsentState copy = new ConsentState();
    copy.policy = policy;
    copy.invites = new LinkedHashMap<>(invites);
    copy.quotaDay = quotaDay;
    copy.groupsCreated = groupsCreated;
    copy.membersAdded = membersAdded;
    return copy;
  }
}
