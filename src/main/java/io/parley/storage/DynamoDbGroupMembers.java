package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemResult;
import com.amazonaws.services.dynamodbv2.model.DeleteRequest;
import com.amazonaws.services.dynamodbv2.model.KeysAndAttributes;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.QueryResult;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import io.parley.conversation.GroupMembers;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The members of large groups: one item per (conversation {@code c}, user {@code u}) with the seq
 * they joined after ({@code s}) and their read mark ({@code r}), so that a group is read a page or
 * a handful of users at a time. The table's index by user ({@link #BY_USER}) lists each user's
 * large groups: one write per member keeps both directions. A member who leaves is put in the
 * member index ({@code u}, {@code c}), because export and erasure need every conversation a user
 * was ever in.
 */
public final class DynamoDbGroupMembers implements GroupMembers {
  static final int MAX_GET_KEYS = 100; // BatchGetItem's limit

  private final AmazonDynamoDB dynamo;
  private final String table;
  private final String memberIndexTable;
  private final RowWrites writes;
  private final Executor blocking;

  public DynamoDbGroupMembers(
      AmazonDynamoDB dynamo, String table, String memberIndexTable, RowWrites writes, Executor blocking) {
    this.dynamo = dynamo;
    this.table = table;
    this.memberIndexTable = memberIndexTable;
    this.writes = writes;
    this.blocking = blocking;
  }

  /** The index of the table by user ({@code u}, then {@code c}): a user's large groups. */
  public static final String BY_USER = "by-user";

  @Override
  public CompletionStage<Void> add(String conversationId, List<Row> rows) {
    return update(conversationId, rows); // the table's index lists them as the users' large groups
  }

  @Override
  public CompletionStage<Void> update(String conversationId, List<Row> rows) {
    return CompletableFuture.runAsync(() -> {
      Map<String, Row> byUser = new LinkedHashMap<>();
      rows.forEach(row -> byUser.put(row.userId(), row));
      putRows(conversationId, byUser.values());
    }, blocking);
  }

  private void putRows(String conversationId, Collection<Row> rows) {
    writes.writeAll(dynamo, table, rows.stream()
        .map(row -> new WriteRequest(new PutRequest(Map.of(
            "c", new AttributeValue(conversationId),
            "u", new AttributeValue(row.userId()),
            "s", new AttributeValue().withN(Long.toString(row.since())),
            "r", new AttributeValue().withN(Long.toString(row.read()))))))
        .toList());
  }

  @Override
  public CompletionStage<Void> remove(String conversationId, List<String> userIds) {
    return CompletableFuture.runAsync(() -> {
      List<String> distinct = List.copyOf(new LinkedHashSet<>(userIds));
      writes.writeAll(dynamo, table, distinct.stream()
          .map(userId -> new WriteRequest(new DeleteRequest(key(conversationId, userId))))
          .toList());
      // Still indexed as having been in it, no longer as a large group of theirs.
      writes.writeAll(dynamo, memberIndexTable, distinct.stream()
          .map(userId -> new WriteRequest(new PutRequest(key(conversationId, userId))))
          .toList());
    }, blocking);
  }

  @Override
  public CompletionStage<Map<String, Row>> find(String conversationId, Collection<String> userIds) {
    return CompletableFuture.supplyAsync(() -> {
      // BatchGetItem refuses a request that names a key twice.
      List<String> distinct = List.copyOf(new LinkedHashSet<>(userIds));
      Map<String, Row> found = new HashMap<>();
      for (int from = 0; from < distinct.size(); from += MAX_GET_KEYS) {
        List<Map<String, AttributeValue>> keys = distinct.subList(from, Math.min(distinct.size(), from + MAX_GET_KEYS))
            .stream().map(userId -> key(conversationId, userId)).toList();
        Map<String, KeysAndAttributes> pending =
            Map.of(table, new KeysAndAttributes().withKeys(keys).withConsistentRead(true));
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
          BatchGetItemResult result = dynamo.batchGetItem(new BatchGetItemRequest(pending));
          result.getResponses().getOrDefault(table, List.of()).forEach(item -> {
            Row row = row(item);
            found.put(row.userId(), row);
          });
          Map<String, KeysAndAttributes> unprocessed = result.getUnprocessedKeys();
          pending = unprocessed == null ? Map.of() : unprocessed;
          if (!pending.isEmpty()) {
            BatchWrites.backOff(table, attempt);
          }
        }
      }
      return found;
    }, blocking);
  }

  @Override
  public CompletionStage<List<Row>> page(String conversationId, String after, int limit) {
    if (limit <= 0) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("limit must be positive: " + limit));
    }
    return CompletableFuture.supplyAsync(() -> {
      List<Row> rows = new ArrayList<>();
      Map<String, AttributeValue> values = new HashMap<>(Map.of(":c", new AttributeValue(conversationId)));
      if (after != null) {
        values.put(":after", new AttributeValue(after));
      }
      Map<String, AttributeValue> start = null;
      do {
        QueryResult page = dynamo.query(new QueryRequest(table)
            .withKeyConditionExpression(after == null ? "c = :c" : "c = :c AND u > :after")
            .withExpressionAttributeValues(values)
            .withConsistentRead(true)
            .withScanIndexForward(true)
            .withLimit(limit - rows.size())
            .withExclusiveStartKey(start));
        page.getItems().forEach(item -> rows.add(row(item)));
        start = page.getLastEvaluatedKey();
      } while (rows.size() < limit && start != null && !start.isEmpty());
      return rows;
    }, blocking);
  }

  /** From the index by user, which a write updates shortly after (not a consistent read). */
  @Override
  public CompletionStage<List<String>> largeGroupsOf(String userId) {
    return CompletableFuture.supplyAsync(() -> {
      List<String> groups = new ArrayList<>();
      Map<String, AttributeValue> start = null;
      do {
        QueryResult page = dynamo.query(new QueryRequest(table)
            .withIndexName(BY_USER)
            .withKeyConditionExpression("u = :u")
            .withExpressionAttributeValues(Map.of(":u", new AttributeValue(userId)))
            .withExclusiveStartKey(start));
        page.getItems().forEach(item -> groups.add(item.get("c").getS()));
        start = page.getLastEvaluatedKey();
      } while (start != null && !start.isEmpty());
      return groups;
    }, blocking);
  }

  private static Row row(Map<String, AttributeValue> item) {
    AttributeValue read = item.get("r");
    return new Row(item.get("u").getS(), Long.parseLong(item.get("s").getN()),
        read == null ? 0 : Long.parseLong(read.getN()));
  }

  private static Map<String, AttributeValue> key(String conversationId, String userId) {
    return Map.of("c", new AttributeValue(conversationId), "u", new AttributeValue(userId));
  }
}
