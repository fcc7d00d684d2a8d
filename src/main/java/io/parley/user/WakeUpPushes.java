package io.parley.user;

import io.parley.push.OfflinePushes;
import io.parley.user.UserActor.Event;
import io.parley.user.UserActor.Mentioned;
import java.util.function.BooleanSupplier;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/** The entity's commands that reach its wake-up pushes ({@link OfflinePushes}): none while a device is online. */
final class WakeUpPushes {
  /** The coalesced push for a conversation is due: the timer {@link OfflinePushes} starts sends it. */
  record PushDue(String conversationId) implements UserActor.Internal {}

  private final OfflinePushes<UserActor.Command> pushes;
  private final BooleanSupplier online;
  private final EffectFactories<Event, UserState> effects;

  WakeUpPushes(OfflinePushes<UserActor.Command> pushes, BooleanSupplier online,
      EffectFactories<Event, UserState> effects) {
    this.pushes = pushes;
    this.online = online;
    this.effects = effects;
  }

  Effect<Event, UserState> mentioned(UserState state, Mentioned cmd) {
    if (!online.getAsBoolean() && !state.pushTokens.isEmpty()) {
      pushes.mentioned(cmd.conversationId(), cmd.seq(), cmd.senderId());
    }
    return effects.none();
  }

  Effect<Event, UserState> due(UserState state, PushDue cmd) {
    if (!online.getAsBoolean()) {
      pushes.due(cmd.conversationId(), state.pushTokens, state.inbox::totalUnread);
    }
    return effects.none();
  }
}
