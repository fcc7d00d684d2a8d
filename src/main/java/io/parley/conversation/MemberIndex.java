package io.parley.conversation;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Every conversation a user was ever a member of, recorded by the conversations themselves
 * ({@code storage/DynamoDbMemberIndex}): a user's export and erasure find there the groups they
 * left and those their inbox no longer shows. Recording again is harmless.
 */
public interface MemberIndex {
  CompletionStage<Void> joined(String conversationId, List<String> userIds);

  /** Records nothing: for tests of other things. */
  MemberIndex NONE = (conversationId, userIds) -> CompletableFuture.completedFuture(null);
}
