package io.parley.conversation;

import java.util.List;

/**
 * Tells every node that users joined or left a large group, so that their connected devices
 * start or stop hearing it live ({@code gateway/GroupRelay} implements it over cluster pubsub):
 * a large group does not know where its members are connected.
 */
public interface LiveGroups {
  void membershipChanged(ConversationInfo info, List<String> joined, List<String> left);

  /**
   * The group became large: all its {@code members} start hearing it live. Those in
   * {@code toldByUserEntities} (its members from before) hear of the change from their user
   * entities, so their devices are not told it again here.
   */
  default void becameLarge(ConversationInfo info, List<String> members, List<String> toldByUserEntities) {
    membershipChanged(info, members, List.of());
  }

  /** Tells no one: for tests of other things. */
  LiveGroups NONE = (info, joined, left) -> {};
}
