package io.parley.gateway.relay;

import io.parley.conversation.LiveEvent;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the users {@link GroupRelay} relays each large group to joined it: the seq after which its
 * messages are theirs. A {@code msg.deleted} of an earlier message names one they could never
 * read, so it is not relayed to them. Learnt from the joins the relay hears (a member added
 * joins after the group's newest seq then) and from the group's answers to the relay's member
 * checks, which look each user's row up anyway ({@link LiveEvent.NotMembers#joinedAfter()}); a
 * member from the group's first message on, or one not checked yet (within a second of their
 * first hearing the group here after a reconnect), is told as any member. A member only ever
 * joins later than before (one added again joins after the group's newest seq then), so what is
 * learnt never moves a join point back: an answer to a check asked before a rejoin may come after it.
 */
final class JoinPoints {
  /** Per group, its users here who joined after its first message. */
  private final Map<String, Map<String, Long>> joinedAfter = new HashMap<>();

  /** The group answered a check: where those of its users that are still relayed here joined. */
  void answered(LiveEvent.NotMembers answer, RelayMemberChecks relayed) {
    answer.joinedAfter().forEach((userId, since) -> {
      if (relayed.relays(answer.conversationId(), userId)) {
        learnt(answer.conversationId(), userId, since);
      }
    });
  }

  /** {@code userId} joined {@code group} after its message {@code since}, and hears it here. */
  void joined(String group, String userId, long since) {
    if (since > 0) {
      learnt(group, userId, since);
    }
  }

  private void learnt(String group, String userId, long since) {
    joinedAfter.computeIfAbsent(group, g -> new HashMap<>()).merge(userId, since, Math::max);
  }

  /** {@code userId} no longer hears {@code group} here: what a later subscription learns again. */
  void forget(String group, String userId) {
    Map<String, Long> users = joinedAfter.get(group);
    if (users != null && users.remove(userId) != null && users.isEmpty()) {
      joinedAfter.remove(group);
    }
  }

  /** Whether message {@code seq} of {@code group} is one {@code userId} may have read. */
  boolean hadMessage(String group, String userId, long seq) {
    return seq > joinedAfter.getOrDefault(group, Map.of()).getOrDefault(userId, 0L);
  }
}
