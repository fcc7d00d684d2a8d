package io.parley.conversation;

import static io.parley.testing.LateResults.assertLoggableDeadLetterTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Conversations record their members in the {@link MemberIndex}, until it holds them. */
class MemberIndexingTest {
  ConversationFixture conversations;
  /** Per conversation, who the index holds; writes fail while {@link #failing}. */
  final Map<String, Set<String>> indexed = new ConcurrentHashMap<>();
  final AtomicBoolean failing = new AtomicBoolean();

  @BeforeEach
  void setUp() {
    conversations = new ConversationFixture("parley.conversation.handoff-retry-interval = 100ms");
    conversations.harness.memberIndex = (conversationId, userIds) -> {
      if (failing.get()) {
        return CompletableFuture.failedFuture(new IllegalStateException("the index is down"));
      }
      indexed.computeIfAbsent(conversationId, id -> ConcurrentHashMap.newKeySet()).addAll(userIds);
      return CompletableFuture.completedFuture(null);
    };
  }

  @AfterEach
  void tearDown() {
    conversations.close();
  }

  @Test
  void aGroupsMembersAndThoseAddedLaterAreIndexedRetryingAFailedWrite() {
    String group = "g." + UUID.randomUUID();
    var conversation = conversations.spawn(group);
    failing.set(true);
    assertTrue(conversations.<ConversationInfo>ask(conversation,
        replyTo -> new ConversationActor.Create("alice", "Crag", List.of("bob"), replyTo)).isOk());
    assertTrue(conversations.<io.parley.cluster.Done>ask(conversation,
        replyTo -> new ConversationActor.AddMembers("alice", List.of("carol"), replyTo)).isOk());
    for (String member : List.of("alice", "bob", "carol")) {
      conversation.tell(new ConversationActor.MembershipHeld(member, 0));
    }
    assertEquals(Map.of(), indexed, "nothing written while the index fails");
    failing.set(false);
    conversations.eventually(() -> assertEquals(Set.of("alice", "bob", "carol"), indexed.get(group)));
  }

  @Test
  void aDirectConversationIsIndexedWhenItStartsAndAgainAfterARestartUntilSettled() {
    String direct = "d:alice:bob";
    failing.set(true);
    var conversation = conversations.spawn(direct);
    assertTrue(conversations.<ConversationActor.SendAck>ask(conversation,
        replyTo -> new ConversationActor.Send("alice", "c1", "hi", "text", replyTo)).isOk());
    conversations.stopAndAwait(conversation);
    failing.set(false);
    conversations.spawn(direct); // recovers with the membership not yet indexed: it writes it
    conversations.eventually(() -> assertEquals(Set.of("alice", "bob"), indexed.get(direct)));
    conversations.eventually(() -> assertTrue(conversations.stored(direct, ConversationActor.MembershipSettled.class)));
  }

  @Test
  void anIndexWriteThatEndsAfterTheConversationStoppedIsADeadLetterPekkoCanLog() {
    CompletableFuture<Void> write = new CompletableFuture<>();
    AtomicBoolean asked = new AtomicBoolean();
    conversations.harness.memberIndex = (conversationId, userIds) -> {
      asked.set(true);
      return write;
    };
    var deadLetters = conversations.harness.testKit.createDeadLetterProbe();
    var conversation = conversations.spawn("d:alice:bob");
    assertTrue(conversations.<ConversationActor.SendAck>ask(conversation,
        replyTo -> new ConversationActor.Send("alice", "c1", "hi", "text", replyTo)).isOk());
    conversations.eventually(() -> assertTrue(asked.get()));
    conversations.stopAndAwait(conversation);
    write.complete(null);
    assertLoggableDeadLetterTo(conversation, deadLetters);
  }
}
