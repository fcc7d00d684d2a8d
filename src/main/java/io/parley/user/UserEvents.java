package io.parley.user;

import io.parley.cluster.EventBatches;
import io.parley.cluster.HandlerTable;
import io.parley.user.UserActor.Batch;
import io.parley.user.UserActor.ConsentEvent;
import io.parley.user.UserActor.ConversationRead;
import io.parley.user.UserActor.DeviceAcked;
import io.parley.user.UserActor.DeviceConnected;
import io.parley.user.UserActor.DeviceDisconnected;
import io.parley.user.UserActor.Erasing;
import io.parley.user.UserActor.Event;
import io.parley.user.UserActor.MembershipChanged;
import io.parley.user.UserActor.MessagesStored;
import io.parley.user.UserActor.NoticeStored;
import io.parley.user.UserActor.PreviewDeleted;
import io.parley.user.UserActor.PushTokenAdded;
import io.parley.user.UserActor.PushTokenRemoved;

/**
 * The user's event handler. Pure: {@link UserState}'s own methods (and {@link Erasure}'s and
 * {@link GroupConsent}'s for theirs) build the new state from the event alone, on a write and on
 * replay alike.
 */
final class UserEvents {
  private UserEvents() {}

  /** {@code userId}'s state after {@code event}; a {@link Batch} applies its events one after the other. */
  static UserState apply(String userId, UserState state, Event event) {
    return EVENTS.apply(userId, state, event);
  }

  private static final HandlerTable<String, UserState, Event, UserState> EVENTS =
      HandlerTable.<String, UserState, Event, UserState>builder()
          .on(Batch.class, (userId, state, batch) ->
              EventBatches.applyAll((s, e) -> apply(userId, s, e), state, batch.events()))
          .on(MessagesStored.class, (userId, state, e) -> state.apply(userId, e))
          .on(NoticeStored.class, (userId, state, e) -> state.apply(e))
          .on(MembershipChanged.class, (userId, state, e) -> state.apply(userId, e))
          .on(PreviewDeleted.class, (userId, state, e) -> state.apply(e))
          .on(DeviceConnected.class, (userId, state, e) -> state.apply(e))
          .on(DeviceDisconnected.class, (userId, state, e) -> state.apply(e))
          .on(DeviceAcked.class, (userId, state, e) -> state.apply(e))
          .on(ConversationRead.class, (userId, state, e) -> state.apply(e))
          .on(PushTokenAdded.class, (userId, state, e) -> state.apply(e))
          .on(PushTokenRemoved.class, (userId, state, e) -> state.apply(e))
          .on(Erasing.class, (userId, state, e) -> Erasure.apply(state, e))
          .on(ConsentEvent.class, (userId, state, e) -> GroupConsent.apply(state, e))
          .build();
}
