package io.parley.conversation;

import org.apache.pekko.actor.typed.RecipientRef;

/** How a conversation entity is reached (cluster sharding in the server, probes in tests). */
@FunctionalInterface
public interface Conversations {
  RecipientRef<ConversationActor.Command> conversation(String conversationId);
}
