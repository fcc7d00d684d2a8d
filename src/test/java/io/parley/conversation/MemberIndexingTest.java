package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.EventBatches;
import io.parley.cluster.Outcome;
import io.parley.testing.EntityHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Conversations record their members in the {@link MemberIndex}, until it holds them. */
class MemberIndexingTest {
  EntityHarness harness;
  ConversationSettings settings;
  PersistenceTestKit journal;
  TestProbe<ClusterSharding.ShardCommand> shard;
  /** Per conversation, who the index holds; writes fail while {@link #failing}. */
  final Map<String, Set<String>> indexed = new ConcurrentHashMap<>();
  final AtomicBoolean failing = new AtomicBoolean();

  @BeforeEach
  void setUp() {
    harness = new EntityHarness("parley.conversation.handoff-retry-interval = 100ms");
    harness.memberIndex = (conversationId, userIds) -> {
      if (failing.get()) {
        return CompletableFuture.failedFuture(new IllegalStateException("the index is down"));
      }
      indexed.computeIfAbsent(conversationId, id -> ConcurrentHashMap.newKeySet()).addAll(userIds);
      return CompletableFuture.completedFuture(null);
    };
    settings = ConversationSettings.from(harness.config);
    journal = PersistenceTestKit.create(harness.testKit.system());
    shard = harness.testKit.createTestProbe();
  }

  @AfterEach
  void tearDown() {
    harness.shutdown();
  }

  private ActorRef<ConversationActor.Command> spawn(String conversationId) {
    return harness.testKit.spawn(harness.conversationActor(conversationId, shard.ref(), settings));
  }

  private <T> Outcome<T> ask(ActorRef<ConversationActor.Command> conversation,
      java.util.function.Function<ActorRef<Outcome<T>>, ConversationActor.Command> command) {
    TestProbe<Outcome<T>> reply = harness.testKit.createTestProbe();
    conversation.tell(command.apply(reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(5));
  }

  private void eventually(Runnable check) {
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      check.run();
      return null;
    });
  }

  private boolean settled(String conversationId) {
    return journal.persistedInStorage(ConversationActor.persistenceId(conversationId).id()).stream()
        .flatMap(e -> EventBatches.unbatched(e).stream())
        .anyMatch(ConversationActor.MembershipSettled.class::isInstance);
  }

  @Test
  void aGroupsMembersAndThoseAddedLaterAreIndexedRetryingAFailedWrite() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    failing.set(true);
    assertTrue(this.<ConversationInfo>ask(conversation,
        replyTo -> new ConversationActor.Create("alice", "Crag", List.of("bob"), replyTo)).isOk());
    assertTrue(this.<io.parley.cluster.Done>ask(conversation,
        replyTo -> new ConversationActor.AddMembers("alice", List.of("carol"), replyTo)).isOk());
    for (String member : List.of("alice", "bob", "carol")) {
      conversation.tell(new ConversationActor.MembershipHeld(member, 0));
    }
    assertEquals(Map.of(), indexed, "nothing written while the index fails");
    failing.set(false);
    eventually(() -> assertEquals(Set.of("alice", "bob", "carol"), indexed.get(group)));
  }

  @Test
  void aDirectConversationIsIndexedWhenItStartsAndAgainAfterARestartUntilSettled() {
    String direct = "d:alice:bob";
    failing.set(true);
    var conversation = spawn(direct);
    assertTrue(this.<ConversationActor.SendAck>ask(conversation,
        replyTo -> new ConversationActor.Send("alice", "c1", "hi", "text", replyTo)).isOk());
    conversation.tell(ConversationActor.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(conversation, Duration.ofSeconds(5));
    failing.set(false);
    spawn(direct); // recovers with the membership not yet indexed: it writes it
    eventually(() -> assertEquals(Set.of("alice", "bob"), indexed.get(direct)));
    eventually(() -> assertTrue(settled(direct)));
  }
}
