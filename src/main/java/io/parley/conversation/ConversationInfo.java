package io.parley.conversation;

import io.parley.cluster.JsonSerializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * What a member sees of a conversation: its title (for direct ones, null), members and, for a
 * group with roles, who runs it ({@code roles}; null otherwise). A large group lists no members,
 * only their {@code memberCount}: they are rows outside its state ({@link GroupMembers}).
 */
public record ConversationInfo(String conversationId, String title, List<String> members, long lastSeq,
    GroupRoles roles, long memberCount) implements JsonSerializable {

  public ConversationInfo {
    memberCount = Math.max(memberCount, members.size()); // 0 from nodes that predate large groups
  }

  public ConversationInfo(String conversationId, String title, List<String> members, long lastSeq,
      GroupRoles roles) {
    this(conversationId, title, members, lastSeq, roles, members.size());
  }

  /** Its members are rows, not listed here: it is told in counts, and its messages are relayed live. */
  public boolean large() {
    return memberCount > members.size();
  }

  /** The same with {@code title} (the gateway opens a sealed one). */
  public ConversationInfo withTitle(String title) {
    return new ConversationInfo(conversationId, title, members, lastSeq, roles, memberCount);
  }

  /** A conversation without roles: a direct one, or a group created before roles existed. */
  public ConversationInfo(String conversationId, String title, List<String> members, long lastSeq) {
    this(conversationId, title, members, lastSeq, null);
  }

  /**
   * Whether member {@code userId} may post: in an announcement channel only its owner and admins
   * may (as the conversation decides each send).
   */
  public boolean mayPost(String userId) {
    return roles == null || !roles.adminsOnlyPosting() || userId.equals(roles.owner()) || roles.admins().contains(userId);
  }

  /** The title shown to {@code userId}: a direct conversation is titled by the other member. */
  public String titleFor(String userId) {
    if (title != null) {
      return title;
    }
    return members.stream().filter(m -> !m.equals(userId)).findFirst().orElse(userId);
  }

  /**
   * The membership (title and members, in order) as 64 bits: hand-offs name it instead of
   * carrying the member list, and a user entity holding another one gets the list. Never 0, which
   * stands for "not known". SHA-256, so that equal fingerprints are equal memberships.
   */
  public long fingerprint() {
    MessageDigest digest = Sha256.digest();
    digest.update((title == null ? "\u0000" : title + "\n").getBytes(StandardCharsets.UTF_8));
    for (String member : members) {
      digest.update((member + "\n").getBytes(StandardCharsets.UTF_8));
    }
    if (roles != null) { // only then: fingerprints of groups without roles stay as they were
      digest.update(("\u0001" + roles.owner() + "\n" + String.join("\n", roles.admins())
          + (roles.adminsOnlyPosting() ? "\n\u0002" : "")).getBytes(StandardCharsets.UTF_8));
    }
    long fingerprint = ByteBuffer.wrap(digest.digest()).getLong();
    return fingerprint == 0 ? 1 : fingerprint;
  }
}
