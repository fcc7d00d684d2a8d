package io.parley.conversation;

import io.parley.conversation.ConversationState.Active;
import java.util.List;

/**
 * In a large group, only those a message mentions are woken with a push if offline (every member
 * for {@value ConversationActor#MENTION_ALL} from an owner or admin); no one else is. The users
 * named are checked against the rows: a mention never reaches a non-member.
 */
final class MentionPushes {
  private static final int PAGE = 1000;

  private final String conversationId;
  private final GroupMembers rows;
  private final Recipients recipients;
  private final KnownMembers known;

  MentionPushes(String conversationId, GroupMembers rows, Recipients recipients, KnownMembers known) {
    this.conversationId = conversationId;
    this.rows = rows;
    this.recipients = recipients;
    this.known = known;
  }

  void mentioned(Active state, SendBatch.Mentions mentions) {
    if (mentions.userIds().contains(ConversationActor.MENTION_ALL) && state.mayManage(mentions.senderId(), known)) {
      everyone(mentions, null);
      return;
    }
    List<String> named = mentions.userIds().stream()
        .filter(id -> !id.equals(mentions.senderId()) && !id.equals(ConversationActor.MENTION_ALL))
        .distinct()
        .toList();
    named.stream().filter(id -> state.isMember(id, known)).forEach(id -> push(id, mentions));
    List<String> unknown = named.stream().filter(id -> !state.isMember(id, known) && !known.knows(id)).toList();
    if (!unknown.isEmpty()) {
      rows.find(conversationId, unknown).thenAccept(found -> found.keySet().forEach(id -> push(id, mentions)));
    }
  }

  /** Page by page through the rows: a million members are not read at once. */
  private void everyone(SendBatch.Mentions mentions, String after) {
    rows.page(conversationId, after, PAGE).thenAccept(page -> {
      page.stream().filter(row -> !row.userId().equals(mentions.senderId())).forEach(row -> push(row.userId(), mentions));
      if (page.size() == PAGE) {
        everyone(mentions, page.get(page.size() - 1).userId());
      }
    });
  }

  private void push(String userId, SendBatch.Mentions mentions) {
    recipients.mentioned(userId, conversationId, mentions.seq(), mentions.senderId());
  }
}
