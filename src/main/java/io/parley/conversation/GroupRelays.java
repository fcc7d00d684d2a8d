package io.parley.conversation;

import io.parley.conversation.ConversationActor.RelayJoin;
import io.parley.conversation.ConversationState.Active;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The relays a large group tells its messages and typing to, one per node where members of it are
 * connected. A relay renews its registration every {@link #RENEW_EVERY}; one not heard from for
 * three of those is forgotten (its node left, or it has no members of this group connected any
 * more). Not state: after a restart the relays' renewals register them again, and the newest seq
 * each renewal answers lets them fetch what they missed meanwhile.
 */
final class GroupRelays {
  public static final Duration RENEW_EVERY = Duration.ofSeconds(10);

  private final String conversationId;
  private final Clock clock;
  private final Map<ActorRef<LiveEvent>, Long> renewedAt = new HashMap<>();
  private final KnownMembers known;

  GroupRelays(String conversationId, Clock clock, KnownMembers known) {
    this.conversationId = conversationId;
    this.clock = clock;
    this.known = known;
  }

  void join(Active state, RelayJoin join) {
    renewedAt.put(join.relay(), clock.millis());
    join.relay().tell(new LiveEvent.Joined(conversationId, state.lastSeq));
  }

  void leave(ActorRef<LiveEvent> relay) {
    renewedAt.remove(relay);
  }

  /**
   * Tells the relay which of the users it asks about are not members (it stops relaying to them),
   * and where those who are joined, if after the first message: a deletion of an earlier one is
   * not relayed to them. Their rows were looked up for the check: it costs no read.
   */
  void check(Active state, ConversationActor.CheckRelayMembers check) {
    List<String> notMembers = new ArrayList<>();
    Map<String, Long> joinedAfter = new HashMap<>();
    for (String userId : check.userIds()) {
      if (!state.isMember(userId, known)) {
        notMembers.add(userId);
      } else if (state.sinceOf(userId, known) > 0) {
        joinedAfter.put(userId, state.sinceOf(userId, known));
      }
    }
    if (!notMembers.isEmpty() || !joinedAfter.isEmpty()) {
      check.relay().tell(new LiveEvent.NotMembers(conversationId, notMembers, check.asked(), joinedAfter));
    }
  }

  /** A conversation with nothing stored has no members. */
  static void noneAreMembers(ConversationActor.CheckRelayMembers check, String conversationId) {
    if (!check.userIds().isEmpty()) {
      check.relay().tell(new LiveEvent.NotMembers(conversationId, check.userIds(), check.asked()));
    }
  }

  boolean any() {
    return !renewedAt.isEmpty();
  }

  void messages(List<ChatMessage> messages) {
    tellAll(new LiveEvent.Messages(conversationId, messages));
  }

  void typing(String typistId) {
    tellAll(new LiveEvent.Typing(conversationId, typistId));
  }

  void deleted(long seq) {
    tellAll(new LiveEvent.Deleted(conversationId, seq));
  }

  private void tellAll(LiveEvent event) {
    renewedAt.keySet().forEach(relay -> relay.tell(event));
  }

  /** Forgets relays that stopped renewing. */
  void tick() {
    long staleBefore = clock.millis() - 3 * RENEW_EVERY.toMillis();
    renewedAt.values().removeIf(at -> at < staleBefore);
  }
}
