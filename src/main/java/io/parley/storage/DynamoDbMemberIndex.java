package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.DeleteRequest;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.QueryResult;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import io.parley.conversation.MemberIndex;
import io.parley.user.KeptElsewhere;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The member index: one item per (user {@code u}, conversation {@code c}) the user was ever a
 * member of, but for the large groups they are in now, which the members' table lists by user
 * ({@link DynamoDbGroupMembers}) and which put their row here when they leave. Conversations
 * write it on every membership change; a user's export and erasure read their rows, and the
 * erasure deletes them last.
 */
public final class DynamoDbMemberIndex implements MemberIndex {
  private final AmazonDynamoDB dynamo;
  private final String table;
  private final RowWrites writes;
  private final Executor blocking;

  public DynamoDbMemberIndex(AmazonDynamoDB dynamo, String table, RowWrites writes, Executor blocking) {
    this.dynamo = dynamo;
    this.table = table;
    this.writes = writes;
    this.blocking = blocking;
  }

  @Override
  public CompletionStage<Void> joined(String conversationId, List<String> userIds) {
    return CompletableFuture.runAsync(() -> writeAll(userIds.stream()
        .map(userId -> new WriteRequest(new PutRequest(key(userId, conversationId))))
        .toList()), blocking);
  }

  /** The conversations {@code userId} was ever in, but for the large groups they are in now ({@link DynamoDbGroupMembers}). */
  public CompletionStage<List<String>> conversationsOf(String userId) {
    return CompletableFuture.supplyAsync(() -> {
      List<String> conversations = new ArrayList<>();
      Map<String, AttributeValue> start = null;
      do {
        QueryResult page = dynamo.query(new QueryRequest(table)
            .withKeyConditionExpression("u = :u")
            .withExpressionAttributeValues(Map.of(":u", new AttributeValue(userId)))
            .withConsistentRead(true)
            .withExclusiveStartKey(start));
        page.getItems().forEach(item -> conversations.add(item.get("c").getS()));
        start = page.getLastEvaluatedKey();
      } while (start != null && !start.isEmpty());
      return conversations;
    }, blocking);
  }

  /**
   * Up to {@code limit} of {@link #conversationsOf} after {@code after} (null: from the first), in id
   * order, and whether more follow: an erasure reads the index a page at a time.
   */
  public CompletionStage<KeptElsewhere.Page> conversationsOf(String userId, String after, int limit) {
    return CompletableFuture.supplyAsync(() -> {
      List<String> conversations = new ArrayList<>();
      Map<String, AttributeValue> start = after == null ? null : key(userId, after);
      do {
        QueryResult page = dynamo.query(new QueryRequest(table)
            .withKeyConditionExpression("u = :u")
            .withExpressionAttributeValues(Map.of(":u", new AttributeValue(userId)))
            .withConsistentRead(true)
            .withLimit(limit + 1 - conversations.size())
            .withExclusiveStartKey(start));
        page.getItems().forEach(item -> conversations.add(item.get("c").getS()));
        start = page.getLastEvaluatedKey();
      } while (conversations.size() <= limit && start != null && !start.isEmpty());
      boolean more = conversations.size() > limit;
      return new KeptElsewhere.Page(List.copyOf(more ? conversations.subList(0, limit) : conversations), more);
    }, blocking);
  }

  /** Deletes the user's rows (an erased account leaves no list of where it was). */
  public CompletionStage<Void> forget(String userId) {
    return conversationsOf(userId).thenAcceptAsync(conversations -> writeAll(conversations.stream()
        .map(conversationId -> new WriteRequest(new DeleteRequest(key(userId, conversationId))))
        .toList()), blocking);
  }

  private void writeAll(List<WriteRequest> rows) {
    writes.writeAll(dynamo, table, rows);
  }

  private static Map<String, AttributeValue> key(String userId, String conversationId) {
    return Map.of("u", new AttributeValue(userId), "c", new AttributeValue(conversationId));
  }
}
