package io.parley.conversation;

import io.parley.cluster.JsonSerializable;
import java.util.List;

/** What a member sees of a conversation: its title (for direct ones, null) and members. */
public record ConversationInfo(String conversationId, String title, List<String> members, long lastSeq)
    implements JsonSerializable {

  /** The title shown to {@code userId}: a direct conversation is titled by the other member. */
  public String titleFor(String userId) {
    if (title != null) {
      return title;
    }
    return members.stream().filter(m -> !m.equals(userId)).findFirst().orElse(userId);
  }
}
