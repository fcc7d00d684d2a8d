package io.parley.conversation;

import io.parley.cluster.EventBatches;
import io.parley.cluster.Outcome;
import io.parley.testing.EntityHarness;
import java.time.Duration;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;

/** Conversation entities on Pekko's persistence testkit, other entities as probes: what the conversation tests share. */
final class ConversationFixture implements AutoCloseable {
  final EntityHarness harness;
  final ConversationSettings settings;
  final PersistenceTestKit journal;
  final TestProbe<ClusterSharding.ShardCommand> shard;

  ConversationFixture(String overrides) {
    harness = new EntityHarness(overrides);
    settings = ConversationSettings.from(harness.config);
    journal = PersistenceTestKit.create(harness.testKit.system());
    shard = harness.testKit.createTestProbe();
  }

  ActorRef<ConversationActor.Command> spawn(String conversationId) {
    return harness.testKit.spawn(harness.conversationActor(conversationId, shard.ref(), settings));
  }

  /** Asks and waits for the answer. */
  <T> Outcome<T> ask(ActorRef<ConversationActor.Command> conversation,
      Function<ActorRef<Outcome<T>>, ConversationActor.Command> command) {
    TestProbe<Outcome<T>> reply = harness.testKit.createTestProbe();
    conversation.tell(command.apply(reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(5));
  }

  /** Whether the conversation stored an event of {@code type}, inside a batch or not. */
  boolean stored(String conversationId, Class<?> type) {
    return journal.persistedInStorage(ConversationActor.persistenceId(conversationId).id()).stream()
        .flatMap(e -> EventBatches.unbatched(e).stream())
        .anyMatch(type::isInstance);
  }

  void stop(ActorRef<ConversationActor.Command> conversation) {
    conversation.tell(ConversationActor.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(conversation, Duration.ofSeconds(5));
  }

  void eventually(Runnable check) {
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      check.run();
      return null;
    });
  }

  @Override
  public void close() {
    harness.shutdown();
  }
}
