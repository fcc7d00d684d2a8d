package io.parley.testing;

import io.parley.conversation.GroupMembers;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The members of large groups in memory, for tests of the conversation entity's logic that claim
 * nothing about storage; the DynamoDB table itself is tested against the embedded store. Ordered as
 * DynamoDB orders them (user ids within a group, group ids within a user's).
 */
public final class MemoryGroupMembers implements GroupMembers {
  private final Map<String, NavigableMap<String, Row>> groups = new HashMap<>();
  private final Map<String, NavigableSet<String>> largeGroups = new HashMap<>();
  /** While set, a write is applied at once but ends when this does, as a slow table's would. */
  public volatile CompletableFuture<Void> writesEnd;
  /** How many writes were asked for. */
  public final java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public synchronized CompletionStage<Void> add(String conversationId, List<Row> rows) {
    for (Row row : rows) {
      groups.computeIfAbsent(conversationId, c -> new TreeMap<>()).put(row.userId(), row);
      largeGroups.computeIfAbsent(row.userId(), u -> new TreeSet<>()).add(conversationId);
    }
    return written();
  }

  @Override
  public synchronized CompletionStage<Void> update(String conversationId, List<Row> rows) {
    NavigableMap<String, Row> members = groups.computeIfAbsent(conversationId, id -> new TreeMap<>());
    rows.forEach(row -> members.put(row.userId(), row));
    return written();
  }

  @Override
  public synchronized CompletionStage<Void> remove(String conversationId, List<String> userIds) {
    NavigableMap<String, Row> members = groups.getOrDefault(conversationId, new TreeMap<>());
    for (String userId : userIds) {
      members.remove(userId);
      NavigableSet<String> ofUser = largeGroups.get(userId);
      if (ofUser != null) {
        ofUser.remove(conversationId);
      }
    }
    return written();
  }

  private CompletionStage<Void> written() {
    writes.incrementAndGet();
    CompletableFuture<Void> end = writesEnd;
    return end != null ? end : CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<Map<String, Row>> find(String conversationId, Collection<String> userIds) {
    NavigableMap<String, Row> members = groups.getOrDefault(conversationId, new TreeMap<>());
    Map<String, Row> found = new HashMap<>();
    for (String userId : userIds) {
      Row row = members.get(userId);
      if (row != null) {
        found.put(userId, row);
      }
    }
    return CompletableFuture.completedFuture(found);
  }

  @Override
  public synchronized CompletionStage<List<Row>> page(String conversationId, String after, int limit) {
    if (limit <= 0) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("limit must be positive: " + limit));
    }
    NavigableMap<String, Row> members = groups.getOrDefault(conversationId, new TreeMap<>());
    Collection<Row> from = after == null ? members.values() : members.tailMap(after, false).values();
    return CompletableFuture.completedFuture(from.stream().limit(limit).toList());
  }

  @Override
  public synchronized CompletionStage<List<String>> largeGroupsOf(String userId) {
    return CompletableFuture.completedFuture(new ArrayList<>(largeGroups.getOrDefault(userId, new TreeSet<>())));
  }
}
