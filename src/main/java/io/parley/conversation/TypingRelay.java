package io.parley.conversation;

import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.Typing;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.State;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/** A member typing is told to the other members at once, and never stored: it is stale in seconds. */
final class TypingRelay {
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
    if (state.isMember(cmd.userId(), known)) {
      state.members.keySet().stream()
          .filter(member -> !member.equals(cmd.userId()))
          .forEach(member -> recipients.typing(member, conversationId, cmd.userId()));
    }
    return effects.none();
  }

  /** In a large group, to the connected members only: through the relays of their nodes. */
  Effect<Event, State> typingInLarge(Active state, Typing cmd) {
    if (state.isMember(cmd.userId(), known)) {
      relays.typing(cmd.userId());
    }
    return effects.none();
  }
}
