package io.parley.user;

import io.parley.push.OfflinePushes;
import io.parley.user.UserActor.Event;
import io.parley.user.UserActor.Mentioned;
import java.util.List;
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

  /**
   * The push goes to every token, unless the conversation has nothing left to read (its new
   * messages were deleted for everyone meanwhile, or read over HTTP): then it goes to none. A large
   * group's mention has no inbox entry here, and goes.
   */
  Effect<Event, UserState> due(UserState state, PushDue cmd) {
    if (!online.getAsBoolean()) {
      boolean nothingToRead = state.inbox.get(cmd.conversationId()).map(entry -> entry.unreadCount() == 0).orElse(false);
      pushes.due(cmd.conversationId(), nothingToRead ? List.of() : state.pushTokens, state.inbox::totalUnread);
    }
    return effects.none();
  }
}
