package io.parley.gateway;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.cluster.Done;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.NeverStored;
import io.parley.limits.RateLimits;
import io.parley.user.AllowanceKind;
import io.parley.user.DeviceEvent;
import io.parley.user.UserActor;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A client's live signals, never stored: typing notices, and the presence its connections watch.
 * Each is counted against the user's own limit first.
 */
public final class PresenceAndTyping {
  private final ChatService chat;
  private final Entities entities;
  private final RateLimits limits;
  private final ConversationGate gate;

  PresenceAndTyping(ChatService chat, Entities entities, RateLimits limits, ConversationGate gate) {
    this.chat = chat;
    this.entities = entities;
    this.limits = limits;
    this.gate = gate;
  }

  /** Completes once the user's typing limit allows one more notice; fails with {@code rate_limited} if not. */
  public CompletionStage<Void> limitTyping(String userId, String conversationId) {
    ChatService.requireConversationId(conversationId);
    return limits.acquire(AllowanceKind.TYPING, userId);
  }

  /**
   * Relays a typing notice the limit allowed ({@link #limitTyping}). Refused as the conversation
   * refuses it ({@code not_member}); one that never stored anything answers as its entity would
   * ({@link NeverStored#typing}), and no entity starts, nor for a direct conversation whose id
   * does not name the user ({@link ConversationGate#ifMember}).
   */
  public CompletionStage<Done> typing(String userId, String conversationId) {
    return gate.ifMember(userId, conversationId, () -> askTyping(userId, conversationId),
        () -> NeverStored.typing(conversationId, userId));
  }

  /**
   * The conversation answers whether the user may type there, and nothing more. One that could not
   * answer in time, or now, gets the client no error: the notice is stale before a retry could go out.
   */
  private CompletionStage<Done> askTyping(String userId, String conversationId) {
    return chat.<ConversationActor.Command, Done>ask(entities.conversation(conversationId),
            replyTo -> new ConversationActor.Typing(userId, replyTo))
        .exceptionally(failure -> {
          ApiError refused = ApiError.from(failure);
          if (refused.code != ErrorCode.UNAVAILABLE) {
            throw refused;
          }
          return Done.INSTANCE;
        });
  }

  /** Completes when a presence subscription or unsubscription of {@code userId}'s may go ahead. */
  public CompletionStage<Void> limitPresence(String userId) {
    return limits.acquire(AllowanceKind.PRESENCE, userId);
  }

  /**
   * Completes once {@code userId}'s entity counted {@code watched} for the connection; fails past
   * its bound ({@code bad_request}), or with {@code rate_limited} if the users new to the
   * connection are more than the user's allowance holds now.
   */
  public CompletionStage<Done> watchPresence(String userId, ActorRef<DeviceEvent> connection, Set<String> watched) {
    return chat.ask(entities.user(userId),
        replyTo -> new UserActor.WatchPresence(connection, watched, replyTo, limits.newWatches()));
  }
}
