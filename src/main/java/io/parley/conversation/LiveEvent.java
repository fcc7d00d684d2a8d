package io.parley.conversation;

import io.parley.cluster.JsonSerializable;
import java.util.List;
import java.util.Map;

/**
 * What a large group tells the relays of the nodes where its members are connected (see
 * {@link GroupRelays}): one message per node, never one per member.
 */
public sealed interface LiveEvent extends JsonSerializable {
  /** The relay is registered; the group's newest seq then was {@code lastSeq}. */
  record Joined(String conversationId, long lastSeq) implements LiveEvent {}

  /** Messages just stored, in seq order. */
  record Messages(String conversationId, List<ChatMessage> messages) implements LiveEvent {}

  record Typing(String conversationId, String typistId) implements LiveEvent {}

  /** Message {@code seq} was deleted for everyone. */
  record Deleted(String conversationId, long seq) implements LiveEvent {}

  /**
   * The answer to {@link ConversationActor.CheckRelayMembers}: these users are not members; and
   * those asked about who are, but joined after the group's first message, with the seq after
   * which its messages are theirs ({@code joinedAfter}: null from nodes that predate it, none).
   */
  record NotMembers(String conversationId, List<String> userIds, long asked, Map<String, Long> joinedAfter)
      implements LiveEvent {
    public NotMembers {
      joinedAfter = joinedAfter == null ? Map.of() : joinedAfter;
    }

    public NotMembers(String conversationId, List<String> userIds, long asked) {
      this(conversationId, userIds, asked, Map.of());
    }
  }
}
