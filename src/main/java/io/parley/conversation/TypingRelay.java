package io.parley.conversation;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.Typing;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.State;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * A member typing is told to the other members at once, and never stored: it is stale in seconds.
 * Anyone else's, or a plain member's in an announcement channel, is told to no one and refused. The answer carries nothing more, as typing comes
 * with each keystroke.
 */
final class TypingRelay {
  private static final Outcome<Done> RELAYED = Outcome.ok(Done.INSTANCE);

  private final String conversationId;
  private final EffectFactories<Event, State> effects;
  private final Recipients recipients;
  private final GroupRelays relays;
  private final KnownMembers known;

  TypingRelay(String conversationId, EffectFactories<Event, State> effects, Recipients recipients,
      GroupRelays relays, KnownMembers known) {
    this.conversationId = conversationId;
    this.effects = effects;
    this.recipients = recipients;
    this.relays = relays;
    this.known = known;
  }

  Effect<Event, State> typing(Active state, Typing cmd) {
    Outcome<Done> outcome = refusal(state, cmd);
    if (outcome.isOk()) {
      state.members.keySet().stream()
          .filter(other -> !other.equals(cmd.userId()))
          .forEach(other -> recipients.typing(other, conversationId, cmd.userId()));
    }
    answer(cmd, outcome);
    return effects.none();
  }

  /** In a large group, to the connected members only: through the relays of their nodes. */
  Effect<Event, State> typingInLarge(Active state, Typing cmd) {
    Outcome<Done> outcome = refusal(state, cmd);
    if (outcome.isOk()) {
      relays.typing(cmd.userId());
    }
    answer(cmd, outcome);
    return effects.none();
  }

  /**
   * A stranger's typing is refused, and so is a plain member's in an announcement channel: they
   * may not post there, so have nothing to type, and are refused as their message would be.
   */
  private Outcome<Done> refusal(Active state, Typing cmd) {
    if (!state.isMember(cmd.userId(), known)) {
      return ConversationActor.notMember(conversationId, cmd.userId());
    }
    if (!state.mayPost(cmd.userId(), known)) {
      return Outcome.rejected(Outcome.Reason.FORBIDDEN, "only the owner and admins of " + conversationId + " may post in it");
    }
    return RELAYED;
  }

  /** A conversation that holds nothing tells no one, and answers as the gateway does without it. */
  Effect<Event, State> typingBeforeStart(Typing cmd) {
    answer(cmd, NeverStored.typing(conversationId, cmd.userId()));
    return effects.none();
  }

  /** A node of an earlier version asks for no answer. */
  private static void answer(Typing cmd, Outcome<Done> outcome) {
    if (cmd.replyTo() != null) {
      cmd.replyTo().tell(outcome);
    }
  }
}
