package io.parley.conversation;

import io.parley.conversation.ConversationActor.DeletionNoticed;
import io.parley.conversation.ConversationActor.DeletionNoticesSettled;
import io.parley.conversation.ConversationState.Active;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;

/**
 * At-least-once notices of a deletion for everyone (see {@link MessageDeletion}): a member's
 * device offline now learns of it from its user entity's stream, so each member's UserActor
 * confirms the notice once stored ({@link DeletionNoticed}). The state says who is still owed it
 * ({@link DeletionNoticesOwed}); confirmations are persisted at the next tick, and a notice not
 * yet confirmed is sent again, backing off, until it is. A notice still owed after
 * {@link #GIVE_UP_AFTER} is given up: history shows the tombstone anyway, and a UserActor of a
 * version that never confirms is not told forever. UserActors drop a notice they already hold.
 */
final class DeletionNotices {
  static final Duration GIVE_UP_AFTER = Duration.ofHours(1);
  static final long MAX_RETRY_DELAY_MILLIS = Duration.ofMinutes(10).toMillis();

  private final String conversationId;
  private final Recipients recipients;
  private final Clock clock;
  private final Logger log;

  /** Confirmed by the members' UserActors, not yet persisted: by seq. */
  private final Map<Long, Set<String>> confirmed = new TreeMap<>();
  /** Per seq, when it was last told and when again; a seq not recorded (a restart) is told at once. */
  private final Backoff<Long> backoff;

  DeletionNotices(String conversationId, Recipients recipients, Duration retryInterval, Clock clock, Logger log) {
    this.conversationId = conversationId;
    this.recipients = recipients;
    this.backoff = new Backoff<>(retryInterval, MAX_RETRY_DELAY_MILLIS, Backoff.Unrecorded.NEVER_SENT);
    this.clock = clock;
    this.log = log;
  }

  /** Tells every member owed it that message {@code seq} was deleted, once it is recorded. */
  void tell(Active state, long seq) {
    backoff.sent(seq, clock.millis());
    send(state, seq);
  }

  void onNoticed(Active state, DeletionNoticed cmd) {
    if (state.deletionNoticesOwed.isOwed(cmd.seq(), cmd.userId(), state.members)) {
      confirmed.computeIfAbsent(cmd.seq(), seq -> new HashSet<>()).add(cmd.userId());
    }
  }

  /** Confirmations to persist, notices owed to no one (the members left) or given up. */
  boolean hasSettled(Active state) {
    return !confirmed.isEmpty() || !settledNow(state).isEmpty();
  }

  /** The confirmations and the notices settled otherwise, handed to a write (which is then owed them). */
  DeletionNoticesSettled takeSettled(Active state) {
    Map<Long, List<String>> settled = new TreeMap<>(settledNow(state));
    settled.forEach((seq, givenUp) -> {
      if (!givenUp.isEmpty()) {
        log.warn("Giving up the notice that message {} of {} was deleted: {} never confirmed it",
            seq, conversationId, givenUp);
      }
    });
    confirmed.forEach((seq, ids) -> settled.merge(seq, List.copyOf(ids), (a, b) -> a)); // given up covers all
    confirmed.clear();
    settled.keySet().forEach(backoff::forget);
    return new DeletionNoticesSettled(settled);
  }

  /** Notices owed to no one any more (an empty list drops them), and those given up (all who are owed). */
  private Map<Long, List<String>> settledNow(Active state) {
    long giveUpBefore = clock.millis() - GIVE_UP_AFTER.toMillis();
    Map<Long, List<String>> settled = new TreeMap<>();
    state.deletionNoticesOwed.all().forEach((seq, owed) -> {
      List<String> owedTo = state.deletionNoticesOwed.owedTo(seq, state.members);
      if (owedTo.isEmpty()) {
        settled.put(seq, List.of());
      } else if (owed.ts() < giveUpBefore) {
        settled.put(seq, owedTo);
      }
    });
    return settled;
  }

  /** Sends each notice not yet confirmed again once its retry is due (after a restart: at once). */
  void retry(Active state) {
    long now = clock.millis();
    for (Long seq : state.deletionNoticesOwed.all().keySet()) {
      if (backoff.isDue(seq, now)) {
        backoff.resent(seq, now);
        send(state, seq);
      }
    }
  }

  boolean settled(Active state) {
    return state.deletionNoticesOwed.isEmpty();
  }

  private void send(Active state, long seq) {
    DeletionNoticesOwed.Owed owed = state.deletionNoticesOwed.all().get(seq);
    if (owed == null) {
      return;
    }
    Set<String> done = confirmed.getOrDefault(seq, Set.of());
    List<String> owedTo = new ArrayList<>(state.deletionNoticesOwed.owedTo(seq, state.members));
    owedTo.removeAll(done);
    owedTo.forEach(member -> recipients.deleted(member, conversationId, seq, owed.deletedBy()));
  }
}
