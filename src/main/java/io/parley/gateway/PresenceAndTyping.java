package io.parley.gateway;

import io.parley.cluster.Done;
import io.parley.conversation.ConversationActor;
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

  /** Relays a typing notice once the user's typing limit allows it. */
  public CompletionStage<Void> typing(String userId, String conversationId) {
    ChatService.requireConversationId(conversationId);
    return limits.acquire(AllowanceKind.TYPING, userId)
        .thenCompose(allowed -> gate.exists(conversationId))
        .thenAccept(exists -> {
          if (exists) { // a conversation that holds nothing has no one to tell
            entities.conversation(conversationId).tell(new ConversationActor.Typing(userId, null));
          }
        });
  }

  /** Completes when a presence subscription or unsubscription of {@code userId}'s may go ahead. */
  public CompletionStage<Void> limitPresence(String userId) {
    return limits.acquire(AllowanceKind.PRESENCE, userId);
  }

  /** Completes once {@code userId}'s entity counted {@code watched} for the connection; fails past its bound. */
  public CompletionStage<Done> watchPresence(String userId, ActorRef<DeviceEvent> connection, Set<String> watched) {
    return chat.ask(entities.user(userId), replyTo -> new UserActor.WatchPresence(connection, watched, replyTo));
  }
}
