package io.parley.conversation;

import io.parley.cluster.Done;
import io.parley.conversation.ConversationActor.Command;
import io.parley.conversation.ConversationActor.MembershipHeld;
import io.parley.conversation.ConversationState.Active;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

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
 * no hand-off that would correct it. One who left is told again the membership as they left it,
 * never a later one: who came or went after them is none of theirs. A user entity that never
 * answers (a node of an older version) is told {@link #MAX_TELLS} times.
 *
 * <p>Each change is also written to the {@link MemberIndex} (the current members, again until it
 * is written): the membership is not settled before that.
 */
final class MembershipNotices {
  /** The member index holds the members as of index request {@code asked}, or {@code failure}. */
  record MembersIndexed(long asked, String failure) implements Command {}

  static final int MAX_TELLS = 8;
  /** As a hand-off's: a member who missed a change hears of it again within half a minute. */
  private static final long MAX_TELL_DELAY_MILLIS = 30_000;

  private final String conversationId;
  private final Recipients recipients;
  private final Clock clock;
  private final MemberIndex index;
  private final ActorContext<ConversationActor.Command> ctx;
  /** Index writes asked for, and the last one written: owed while they differ. */
  private long indexAsked;
  private long indexWritten;
  private boolean indexing;
  /** Per member, the fingerprint its user entity last reported holding. */
  private final Map<String, Long> held = new HashMap<>();
  /** Those told of the current membership who have not reported holding it: when told, when again. */
  private final Backoff<String> owed;
  /** Those of {@code owed} who left, with the membership as they left it: what they are told again. */
  private final Map<String, ConversationInfo> leftWith = new HashMap<>();
  /** The current membership's fingerprint, computed once per change (hashing 256 ids per hand-off would not be). */
  private long current;
  private final KnownMembers known;

  MembershipNotices(String conversationId, Recipients recipients, MemberIndex index,
      ActorContext<ConversationActor.Command> ctx, Duration retryInterval, Clock clock, KnownMembers known) {
    this.conversationId = conversationId;
    this.recipients = recipients;
    this.index = index;
    this.ctx = ctx;
    this.owed = new Backoff<>(retryInterval, MAX_TELL_DELAY_MILLIS, Backoff.Unrecorded.NEVER_SENT);
    this.clock = clock;
    this.known = known;
  }

  /** The current members go into the member index (a direct conversation's start, any change). */
  void index(Active state) {
    indexAsked++;
    writeIndex(state);
  }

  /** Whether the index was asked for since this run started (a restart asks again). */
  boolean indexAsked() {
    return indexAsked > 0;
  }

  private void writeIndex(Active state) {
    if (indexing || indexWritten == indexAsked) {
      return;
    }
    indexing = true;
    long asked = indexAsked;
    ctx.pipeToSelf(Done.after(index.joined(conversationId, List.copyOf(state.members.keySet()))),
        (written, failure) -> new MembersIndexed(asked, failure == null ? null : failure.toString()));
  }

  void onIndexed(Active state, MembersIndexed indexed) {
    indexing = false;
    if (indexed.failure() != null) {
      ctx.getLog().warn("Writing the member index of {} failed, retrying: {}", conversationId, indexed.failure());
      return; // retry() writes again
    }
    indexWritten = Math.max(indexWritten, indexed.asked());
    writeIndex(state); // a change while it was written
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
    index(state);
    current = 0;
    long now = clock.millis();
    ConversationInfo info = state.info(conversationId);
    for (String member : state.members.keySet()) {
      leftWith.remove(member);
      tellAfresh(member, info, state, now);
    }
    for (String former : formerMembers) {
      held.remove(former);
      leftWith.put(former, info);
      tellAfresh(former, info, state, now);
    }
  }

  /** A user entity reports the membership it holds; 0 means it did not say (an older node). */
  void reported(Active state, String userId, long fingerprint) {
    if (fingerprint == 0) {
      return;
    }
    if (state.isMember(userId, known)) {
      held.put(userId, fingerprint);
    }
    ConversationInfo left = leftWith.get(userId);
    if (fingerprint == (left == null ? fingerprint(state) : left.fingerprint())) {
      forgetOwed(userId);
    }
  }

  void onHeld(Active state, MembershipHeld cmd) {
    reported(state, cmd.userId(), cmd.fingerprint());
  }

  /** Tells again those whose retry is due. */
  void retry(Active state) {
    writeIndex(state);
    if (owed.isEmpty()) {
      return;
    }
    long now = clock.millis();
    ConversationInfo info = state.info(conversationId);
    for (String userId : owed.keys()) {
      if (owed.sends(userId) >= MAX_TELLS) {
        forgetOwed(userId);
      } else if (owed.isDue(userId, now)) {
        owed.resent(userId, now);
        recipients.conversationChanged(userId, leftWith.getOrDefault(userId, info), lastMessageTsFor(state, userId));
      }
    }
  }

  /** An erased account is told nothing more: what it would store, its erasure just removed. */
  void forget(String userId) {
    forgetOwed(userId);
    held.remove(userId);
  }

  private void forgetOwed(String userId) {
    owed.forget(userId);
    leftWith.remove(userId);
  }

  /** Nothing left to tell: the conversation may passivate. */
  boolean settled() {
    return owed.isEmpty() && indexWritten == indexAsked;
  }

  /** A new membership: whatever was owed before, its retries start over. */
  private void tellAfresh(String userId, ConversationInfo info, Active state, long now) {
    owed.forget(userId);
    owed.sent(userId, now);
    recipients.conversationChanged(userId, info, lastMessageTsFor(state, userId));
  }

  /**
   * When the newest message was sent, for one who may read it. A member who joined after it is told
   * 0 (their inbox places the entry from now): its time is no more theirs than its content.
   */
  private long lastMessageTsFor(Active state, String userId) {
    return state.sinceOf(userId, known) < state.lastSeq ? state.lastMessageTs : 0;
  }
}
