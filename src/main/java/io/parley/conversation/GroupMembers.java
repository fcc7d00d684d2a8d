package io.parley.conversation;

import io.parley.cluster.JsonSerializable;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The members of large groups, one row per (conversation, member) outside the conversation's
 * state, so that a group of a million members neither outgrows a snapshot nor recovers slowly
 * ({@code storage/DynamoDbGroupMembers}).
 */
public interface GroupMembers {
  /** A member; the group's messages after {@code since} are theirs, and they read through {@code read}. */
  record Row(String userId, long since, long read) implements JsonSerializable {
    public long readThrough() {
      return Math.max(since, read);
    }
  }

  /** Stores the rows (storing one again is harmless) and lists the group among each member's large groups. */
  CompletionStage<Void> add(String conversationId, List<Row> rows);

  /** Stores rows of members already added (their read marks): nothing else changes. */
  CompletionStage<Void> update(String conversationId, List<Row> rows);

  /** Deletes the rows; the group is no longer among those members' large groups. */
  CompletionStage<Void> remove(String conversationId, List<String> userIds);

  /** Which of {@code userIds} are members, with their rows (a consistent read). */
  CompletionStage<Map<String, Row>> find(String conversationId, Collection<String> userIds);

  /** Up to {@code limit} members in user id order after {@code after} (null: from the first). */
  CompletionStage<List<Row>> page(String conversationId, String after, int limit);

  /** The large groups {@code userId} is a member of now. */
  CompletionStage<List<String>> largeGroupsOf(String userId);
}
