package io.parley.gateway.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.parley.conversation.GroupMembers;
import io.parley.testing.MemoryGroupMembers;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KnownLargeGroupsTest {
  private final MemoryGroupMembers stored = new MemoryGroupMembers();
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final Lookups lookups = new Lookups();
  private final KnownLargeGroups known = new KnownLargeGroups(lookups, now::get, 3);

  @Test
  void atMostTheCapOfAUsersLargeGroupsIsAnswered() throws Exception {
    KnownLargeGroups capped = new KnownLargeGroups(lookups, now::get, 3, 2);
    List.of("g3", "g1", "g4", "g2").forEach(group -> member(group, "alice"));
    assertEquals(List.of("g1", "g2"), capped.of("alice").toCompletableFuture().get(), "looked up");
    capped.changed("g0", List.of("alice"), List.of());
    assertEquals(List.of("g0", "g1"), capped.of("alice").toCompletableFuture().get(), "kept");
  }

  @Test
  void aReconnectWithinTheKeepingTimeReadsNothingAndLaterReadsAgain() throws Exception {
    member("g1", "alice");
    assertEquals(List.of("g1"), groupsOf("alice"));
    now.addAndGet(KnownLargeGroups.KEEP_FOR.toMillis() - 1);
    assertEquals(List.of("g1"), groupsOf("alice"));
    assertEquals(1, lookups.made, "the second answer was kept");

    now.addAndGet(2);
    assertEquals(List.of("g1"), groupsOf("alice"));
    assertEquals(2, lookups.made, "past the keeping time, looked up again");
  }

  @Test
  void changesHeardAfterALookupAreAppliedToWhatIsKept() throws Exception {
    member("g1", "alice");
    groupsOf("alice");
    now.addAndGet(KnownLargeGroups.INDEX_LAG.toMillis() + 1);
    // The relay hears them; the index is not consulted (it says the same, a moment later).
    known.changed("g2", List.of("alice", "bob"), List.of());
    known.changed("g1", List.of(), List.of("alice"));
    assertEquals(List.of("g2"), groupsOf("alice"));
    assertEquals(1, lookups.made);
  }

  @Test
  void anAnswerIsNotKeptWhenAChangeWasHeardWhileItWasOnItsWay() throws Exception {
    lookups.holdNext();
    CompletionStage<List<String>> first = known.of("alice");
    known.changed("g1", List.of("alice"), List.of());
    now.addAndGet(KnownLargeGroups.INDEX_LAG.toMillis() + 1);
    lookups.release(); // what the index said before the change reached it
    assertEquals(List.of(), first.toCompletableFuture().get(), "the lookup's own answer is passed on");

    member("g1", "alice");
    assertEquals(List.of("g1"), groupsOf("alice"), "asked again, not the stale answer");
    assertEquals(2, lookups.made);
  }

  @Test
  void anAnswerIsNotKeptWhenAChangeWasHeardJustBeforeTheLookup() throws Exception {
    known.changed("g1", List.of("alice"), List.of());
    now.addAndGet(KnownLargeGroups.INDEX_LAG.toMillis() - 1);
    assertEquals(List.of(), groupsOf("alice"), "the index has not caught up yet");
    member("g1", "alice");
    assertEquals(List.of("g1"), groupsOf("alice"), "the stale answer was not kept");
    assertEquals(2, lookups.made);

    now.addAndGet(2);
    groupsOf("alice");
    assertEquals(List.of("g1"), groupsOf("alice"), "a lookup past the index's lag is kept");
    assertEquals(3, lookups.made);
  }

  @Test
  void aFailedLookupFailsItsCallerAndIsNotKept() throws Exception {
    lookups.failNext();
    assertThrows(ExecutionException.class, () -> groupsOf("alice"));
    assertEquals(List.of(), groupsOf("alice"));
    assertEquals(2, lookups.made);
  }

  @Test
  void theOldestUsersGoBeyondTheBound() throws Exception {
    for (String user : List.of("u1", "u2", "u3", "u4")) {
      groupsOf(user);
    }
    groupsOf("u4");
    groupsOf("u2");
    assertEquals(4, lookups.made, "u2 to u4 kept");
    groupsOf("u1");
    assertEquals(5, lookups.made, "u1 was dropped for u4");
  }

  private void member(String group, String userId) {
    stored.add(group, List.of(new GroupMembers.Row(userId, 0, 0)));
  }

  private List<String> groupsOf(String userId) throws Exception {
    return known.of(userId).toCompletableFuture().get();
  }

  /** The stored rows, counting lookups; the next one can be held or failed. */
  private final class Lookups implements GroupMembers {
    int made;
    private final Queue<CompletableFuture<Void>> held = new ArrayDeque<>();
    private boolean holdNext;
    private boolean failNext;

    @Override
    public CompletionStage<Void> add(String conversationId, List<Row> rows) {
      return stored.add(conversationId, rows);
    }

    @Override
    public CompletionStage<Void> update(String conversationId, List<Row> rows) {
      return stored.update(conversationId, rows);
    }

    @Override
    public CompletionStage<Void> remove(String conversationId, List<String> userIds) {
      return stored.remove(conversationId, userIds);
    }

    @Override
    public CompletionStage<Map<String, Row>> find(String conversationId, Collection<String> userIds) {
      return stored.find(conversationId, userIds);
    }

    @Override
    public CompletionStage<List<Row>> page(String conversationId, String after, int limit) {
      return stored.page(conversationId, after, limit);
    }

    void holdNext() {
      holdNext = true;
    }

    void failNext() {
      failNext = true;
    }

    void release() {
      held.remove().complete(null);
    }

    @Override
    public CompletionStage<List<String>> largeGroupsOf(String userId) {
      made++;
      if (failNext) {
        failNext = false;
        return CompletableFuture.failedFuture(new IllegalStateException("index unavailable"));
      }
      CompletionStage<List<String>> answer = stored.largeGroupsOf(userId);
      if (holdNext) {
        holdNext = false;
        CompletableFuture<Void> gate = new CompletableFuture<>();
        held.add(gate);
        return gate.thenCompose(released -> answer);
      }
      return answer;
    }
  }
}
