package io.parley.conversation;

import io.parley.conversation.ConversationActor.MembershipHeld;
import io.parley.conversation.ConversationState.Active;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which membership each member's user entity holds, and membership changes told until they are.
 *
 * <p>Each user entity reports the membership it holds by fingerprint (with every
 * {@link ConversationActor.HandedOff} and {@link MembershipHeld}); a hand-off carries the member
 * list only to a member not known to hold the current one. Nothing here is stored: after a
 * restart every member's first hand-off carries the list again.
 *
 * <p>A change is told to the members and to those who just left, and told again (backing off)
 * until each reports holding it: cluster messages are at most once, and a member who left gets
 * no hand-off that would correct it. A user entity that never answers (a node of an older
 * version) is told {@link #MAX_TELLS} times.
 */
final class MembershipNotices {
  static final int MAX_TELLS = 8;

  private final String conversationId;
  private final Recipients recipients;
  private final Duration retryInterval;
  private final Clock clock;
  /** Per member, the fingerprint its user entity last reported holding. */
  private final Map<String, Long> held = new HashMap<>();
  /** Those told of the current membership who have not reported holding it. */
  private final Map<String, Owed> owed = new HashMap<>();
  /** The current membership's fingerprint, computed once per change (hashing 256 ids per hand-off would not be). */
  private long current;

  private record Owed(long toldAtMillis, long delayMillis, int tells) {}

  MembershipNotices(String conversationId, Recipients recipients, Duration retryInterval, Clock clock) {
    this.conversationId = conversationId;
    this.recipients = recipients;
    this.retryInterval = retryInterval;
    this.clock = clock;
  }

  long fingerprint(Active state) {
    if (current == 0) {
      current = state.info(conversationId).fingerprint();
    }
    return current;
  }

  /** Whether {@code userId}'s user entity is known to hold the current membership. */
  boolean holdsCurrent(Active state, String userId) {
    Long fingerprint = held.get(userId);
    return fingerprint != null && fingerprint == fingerprint(state);
  }

  /** The membership changed: current members and {@code formerMembers} are told. */
  void announce(Active state, List<String> formerMembers) {
    current = 0;
    long now = clock.millis();
    ConversationInfo info = state.info(conversationId);
    for (String member : state.members.keySet()) {
      tell(member, info, state, new Owed(now, retryInterval.toMillis(), 1));
    }
    for (String former : formerMembers) {
      held.remove(former);
      tell(former, info, state, new Owed(now, retryInterval.toMillis(), 1));
    }
  }

  /** A user entity reports the membership it holds; 0 means it did not say (an older node). */
  void reported(Active state, String userId, long fingerprint) {
    if (fingerprint == 0) {
      return;
    }
    if (state.isMember(userId)) {
      held.put(userId, fingerprint);
    }
    if (fingerprint == fingerprint(state)) {
      owed.remove(userId);
    }
  }

  void onHeld(Active state, MembershipHeld cmd) {
    reported(state, cmd.userId(), cmd.fingerprint());
  }

  /** Tells again those whose retry is due. */
  void retry(Active state) {
    if (owed.isEmpty()) {
      return;
    }
    long now = clock.millis();
    ConversationInfo info = state.info(conversationId);
    Map.copyOf(owed).forEach((userId, was) -> {
      if (was.tells() >= MAX_TELLS) {
        owed.remove(userId);
      } else if (now - was.toldAtMillis() >= was.delayMillis()) {
        tell(userId, info, state, new Owed(now, Math.min(2 * was.delayMillis(), MemberHandoffs.MAX_RETRY_DELAY_MILLIS),
            was.tells() + 1));
      }
    });
  }

  /** An erased account is told nothing more: what it would store, its erasure just removed. */
  void forget(String userId) {
    owed.remove(userId);
    held.remove(userId);
  }

  /** Nothing left to tell: the conversation may passivate. */
  boolean settled() {
    return owed.isEmpty();
  }

  private void tell(String userId, ConversationInfo info, Active state, Owed next) {
    owed.put(userId, next);
    recipients.conversationChanged(userId, info, state.lastMessageTs);
  }
}
