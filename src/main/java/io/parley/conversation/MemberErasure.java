package io.parley.conversation;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor.EraseMember;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.MemberErased;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.State;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * A member's account is erased ({@link EraseMember}, from their user entity). One event
 * ({@link MemberErased}) makes every message they sent so far read as a tombstone, by a rule per
 * sender rather than a list of seqs, so that any number of messages costs the same; a group
 * forgets them, as if they left. The other members are told, so that an inbox previewing one of
 * those messages drops the preview. The message bytes stay in the journal and cold segments.
 * Repeating it changes nothing.
 */
final class MemberErasure {
  private final String conversationId;
  private final EffectFactories<Event, State> effects;
  private final Recipients recipients;
  private final MembershipNotices notices;
  private final LargeMembers large;
  private final KnownMembers known;

  MemberErasure(String conversationId, EffectFactories<Event, State> effects, Recipients recipients,
      MembershipNotices notices, LargeMembers large, KnownMembers known) {
    this.conversationId = conversationId;
    this.effects = effects;
    this.recipients = recipients;
    this.notices = notices;
    this.large = large;
    this.known = known;
  }

  Effect<Event, State> erase(Active state, EraseMember cmd) {
    return erase(state, cmd, (active, leaves) -> cmd.replyTo().tell(Outcome.ok(Done.INSTANCE)));
  }

  /**
   * In a large group, one who leaves is answered once their row is gone: the erasure deletes
   * what is left of them after this.
   */
  Effect<Event, State> eraseInLarge(Active state, EraseMember cmd) {
    Runnable answer = () -> cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
    GroupRoles rolesBefore = state.info(conversationId).roles();
    return erase(state, cmd, (active, leaves) -> {
      if (leaves) {
        large.writeRows(large.left(active, List.of(cmd.userId())), () -> {
          answer.run();
          large.rolesMayHaveChanged(rolesBefore, active); // an erased owner hands the group on
        });
      } else {
        answer.run();
      }
    });
  }

  /** {@code answer}: once stored, given the new state and whether the user left. */
  private Effect<Event, State> erase(Active state, EraseMember cmd, BiConsumer<Active, Boolean> answer) {
    String userId = cmd.userId();
    long through = state.lastSeq;
    // A direct conversation's members are its id: the member stays, with nothing before now.
    boolean leaves = ConversationIds.isGroup(conversationId) && state.isMember(userId, known);
    if (!leaves && state.erasedThrough(userId) >= through) {
      cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
      return effects.none();
    }
    long erasedBefore = state.erasedThrough(userId);
    return effects.persist(new MemberErased(userId, through, leaves))
        .thenRun((State newState) -> {
          Active active = (Active) newState;
          notices.forget(userId);
          // Each member is told which of the sender's messages they may not have read yet (after
          // their read receipt and their joining) became tombstones now: those are not unread any
          // more. Not those deleted before, nor an earlier erasure's: an inbox keeping only a
          // count of old unread messages took those off it then.
          active.members.forEach((member, m) -> {
            if (!member.equals(userId)) {
              long after = Math.max(m.watermark(ReceiptStatus.READ), erasedBefore);
              recipients.senderErased(member, conversationId, userId, through,
                  withoutDeleted(active.senders.runsOf(userId, after, through), active.deleted));
            }
          });
          if (leaves) {
            notices.announce(active, List.of());
          }
          answer.accept(active, leaves);
        });
  }

  /** {@code runs} (from/to pairs, ascending) less the seqs deleted for everyone. */
  static List<Long> withoutDeleted(List<Long> runs, DeletedMessages deleted) {
    List<Long> left = new ArrayList<>();
    for (int i = 0; i + 1 < runs.size(); i += 2) {
      long from = runs.get(i);
      for (long seq : deleted.between(from, runs.get(i + 1))) {
        if (seq > from) {
          left.add(from);
          left.add(seq - 1);
        }
        from = seq + 1;
      }
      if (from <= runs.get(i + 1)) {
        left.add(from);
        left.add(runs.get(i + 1));
      }
    }
    return left;
  }
}
