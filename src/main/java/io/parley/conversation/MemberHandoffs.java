package io.parley.conversation;

import io.parley.conversation.ConversationActor.Command;
import io.parley.conversation.ConversationActor.HandedOff;
import io.parley.conversation.ConversationActor.Location;
import io.parley.conversation.ConversationState.Active;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * At-least-once fan-out of a conversation's messages to its members' UserActors. Each UserActor
 * reports how far it has stored the conversation ({@link HandedOff}); the confirmations ride
 * along with the conversation's next write, and anything not yet confirmed is re-read (from the
 * journal or the cold tier) and sent again, backing off, until it is. UserActors drop what they
 * already have, by (conversation, seq). Nothing here is state: after a restart the persisted
 * watermarks say where re-sending starts.
 */
final class MemberHandoffs {
  /** What a re-send read from the journal or the cold tier for {@code userId}. */
  record RetryLoaded(String userId, List<ChatMessage> messages) implements Command {}

  private static final int RETRY_BATCH = 200;
  private static final long MAX_RETRY_DELAY_MILLIS = 30_000;

  private final String conversationId;
  private final ActorContext<Command> ctx;
  private final Recipients recipients;
  private final MembershipNotices memberships;
  private final MessageReader reader;
  /** Where messages {@code from..to} of the state are (cold segments, then a journal range). */
  private final Locator locator;
  private final Clock clock;

  private final Map<String, Long> confirmedNotPersisted = new HashMap<>();
  /** Members whose UserActor reported less than it had confirmed: where re-sending starts. */
  private final Map<String, Long> reportedBehind = new HashMap<>();
  /** Per member, when it was last handed messages and when again: the delay doubles with each
   *  retry, so an overloaded member is not buried under re-reads of the journal. A member not
   *  recorded (a restart, another membership held) was handed them before: its retry doubles. */
  private final Backoff<String> backoff;

  interface Locator {
    Location locate(Active state, long from, long to);
  }

  MemberHandoffs(String conversationId, ActorContext<Command> ctx, Recipients recipients,
      MembershipNotices memberships, MessageReader reader, Locator locator, Duration retryInterval, Clock clock) {
    this.conversationId = conversationId;
    this.ctx = ctx;
    this.recipients = recipients;
    this.memberships = memberships;
    this.reader = reader;
    this.locator = locator;
    this.backoff = new Backoff<>(retryInterval, MAX_RETRY_DELAY_MILLIS, Backoff.Unrecorded.SENT_AT_ZERO);
    this.clock = clock;
  }

  /** Hands freshly stored messages to every member they belong to. */
  void fanOut(Active state, List<StoredMessage> stored) {
    List<ChatMessage> messages = stored.stream().map(m -> m.toChatMessage(conversationId)).toList();
    ConversationInfo info = state.info(conversationId);
    long now = clock.millis();
    state.members.forEach((userId, member) -> {
      List<ChatMessage> theirs = messages.stream().filter(m -> m.seq() > member.since()).toList();
      if (!theirs.isEmpty()) {
        backoff.sent(userId, now);
        deliver(state, userId, info, member, theirs);
      }
    });
  }

  /**
   * The member list goes only to a member not known to hold the current membership; with it, how
   * far they read and what they have not read before these ({@link EarlierUnread}), for an inbox
   * that takes the conversation back.
   */
  private void deliver(Active state, String userId, ConversationInfo info, Member member, List<ChatMessage> messages) {
    boolean held = memberships.holdsCurrent(state, userId);
    long readThrough = held ? 0 : member.watermark(ReceiptStatus.READ);
    int unreadBefore = held ? 0 : EarlierUnread.count(state, userId, readThrough, messages.get(0).seq() - 1);
    recipients.deliver(userId, conversationId, memberships.fingerprint(state), held ? null : info, member.since(),
        messages, readThrough, unreadBefore);
  }

  void onHandedOff(Active state, HandedOff cmd) {
    Member member = state.members.get(cmd.userId());
    if (member == null) {
      return;
    }
    memberships.reported(state, cmd.userId(), cmd.fingerprint());
    if (cmd.fingerprint() != 0 && !memberships.holdsCurrent(state, cmd.userId())) {
      // It holds another membership (a hand-off without the list was refused, or a change is on
      // its way): what it has not confirmed goes again at the next tick, with the list.
      backoff.forget(cmd.userId());
    }
    long confirmed = confirmedThrough(cmd.userId(), member);
    if (cmd.seq() < confirmed) {
      // The member's UserActor is the authority on what it stored: it reports less than it once
      // confirmed, so it is re-sent from there rather than left with a gap it can never close.
      if (reportedBehind.put(cmd.userId(), cmd.seq()) == null) {
        ctx.getLog().warn("{} reports {} stored through {}, below the {} it confirmed; re-sending",
            cmd.userId(), conversationId, cmd.seq(), confirmed);
      }
      return;
    }
    reportedBehind.remove(cmd.userId());
    if (cmd.seq() > member.handedOff()) {
      confirmedNotPersisted.merge(cmd.userId(), cmd.seq(), Math::max);
      backoff.resetDelay(cmd.userId());
    }
  }

  boolean hasConfirmationsToPersist() {
    return !confirmedNotPersisted.isEmpty();
  }

  /** The confirmations not yet persisted, handed to a write (which is then owed them). */
  Map<String, Long> takeConfirmations() {
    Map<String, Long> confirmed = Map.copyOf(confirmedNotPersisted);
    confirmedNotPersisted.clear();
    return confirmed;
  }

  /** Asked after {@link #retry} in the same tick, which has forgotten members who left. */
  boolean allHandedOff(Active state) {
    return reportedBehind.isEmpty() && state.members.values().stream()
        .allMatch(m -> Math.max(m.handedOff(), m.since()) >= state.lastSeq);
  }

  /** Re-reads what each member has not confirmed once its retry is due. */
  void retry(Active state) {
    forgetDeparted(state);
    long now = clock.millis();
    state.members.forEach((userId, member) -> {
      long through = handedOffThrough(userId, member);
      if (through >= state.lastSeq || !backoff.isDue(userId, now)) {
        return;
      }
      backoff.resent(userId, now);
      long from = through + 1;
      long to = Math.min(state.lastSeq, through + RETRY_BATCH);
      ctx.pipeToSelf(reader.read(conversationId, locator.locate(state, from, to)), (messages, failure) -> {
        if (failure != null) {
          ctx.getLog().warn("Reading {} {}..{} to re-send to {} failed, retried later: {}",
              conversationId, from, to, userId, failure.toString());
        }
        return new RetryLoaded(userId, failure == null ? messages : List.of());
      });
    });
  }

  /** A member who left is owed nothing: her re-send schedule and where it would start go. */
  private void forgetDeparted(Active state) {
    reportedBehind.keySet().removeIf(userId -> !state.members.containsKey(userId));
    backoff.forgetIf(userId -> !state.members.containsKey(userId));
  }

  /** Sends re-read messages in hand-offs no larger than a write's, so each fits a remoting frame. */
  void onRetryLoaded(Active state, RetryLoaded loaded) {
    Member member = state.members.get(loaded.userId());
    if (member == null || loaded.messages().isEmpty()) {
      return;
    }
    ConversationInfo info = state.info(conversationId);
    List<ChatMessage> chunk = new ArrayList<>();
    long bytes = 0;
    for (ChatMessage m : loaded.messages()) {
      long size = SendBatch.approximateBytes(m.content(), m.preview(), m.clientMsgId(), m.senderId());
      if (!chunk.isEmpty() && bytes + size > SendBatch.MAX_BYTES) {
        deliver(state, loaded.userId(), info, member, chunk);
        chunk = new ArrayList<>();
        bytes = 0;
      }
      chunk.add(m);
      bytes += size;
    }
    deliver(state, loaded.userId(), info, member, chunk);
  }

  /** How far a member is known to have stored this conversation: re-sending starts after it. */
  private long handedOffThrough(String userId, Member member) {
    Long behind = reportedBehind.get(userId);
    return behind != null ? Math.max(member.since(), behind) : confirmedThrough(userId, member);
  }

  /** How far a member's UserActor has confirmed storing this conversation. */
  private long confirmedThrough(String userId, Member member) {
    return Math.max(member.since(), Math.max(member.handedOff(), confirmedNotPersisted.getOrDefault(userId, 0L)));
  }
}
