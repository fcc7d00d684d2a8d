package io.parley.conversation;

import io.parley.auth.UserIds;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Conversation and user identifiers as PROTOCOL.md defines them. A direct conversation's id is
 * {@code d:} + the two user ids sorted and joined by {@code :}; groups get {@code g.} + random hex.
 */
public final class ConversationIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ConversationIds() {}

  /** The grammar of user ids ({@link UserIds}), so a direct id's parts are user ids. */
  public static boolean isValidId(String id) {
    return UserIds.isValid(id);
  }

  public static boolean isDirect(String conversationId) {
    return conversationId.startsWith("d:");
  }

  public static boolean isGroup(String conversationId) {
    return conversationId.startsWith("g.");
  }

  public static String direct(String a, String b) {
    return a.compareTo(b) <= 0 ? "d:" + a + ":" + b : "d:" + b + ":" + a;
  }

  public static String newGroupId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return "g." + HexFormat.of().formatHex(bytes);
  }

  /**
   * The two members of a direct conversation that includes {@code userId}. User ids may contain
   * {@code :} themselves, so the id is only decoded relative to a known member.
   */
  public static Optional<List<String>> directMembers(String conversationId, String userId) {
    if (!isDirect(conversationId) || !isValidId(conversationId)) {
      return Optional.empty();
    }
    String rest = conversationId.substring(2);
    if (rest.startsWith(userId + ":")) {
      String other = rest.substring(userId.length() + 1);
      if (isValidId(other) && userId.compareTo(other) <= 0) {
        return Optional.of(List.of(userId, other));
      }
    }
    if (rest.endsWith(":" + userId)) {
      String other = rest.substring(0, rest.length() - userId.length() - 1);
      if (isValidId(other) && other.compareTo(userId) <= 0) {
        return Optional.of(List.of(other, userId));
      }
    }
    return Optional.empty();
  }
}
