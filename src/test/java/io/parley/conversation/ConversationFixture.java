package io.parley.conversation;

import static io.parley.testing.EntityHarness.received;

import io.parley.cluster.Done;
import io.parley.cluster.EventBatches;
import io.parley.cluster.Outcome;
import io.parley.testing.EntityHarness;
import java.time.Duration;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;

/**
 * Conversation entities on Pekko's persistence testkit, other entities as probes: what the
 * conversation tests share. A test holds one, or (the tests of the ConversationActor's jobs)
 * extends it, so that its steps read as the test's own.
 */
class ConversationFixture implements AutoCloseable {
  final EntityHarness harness;
  /** A test may replace it before it spawns: a conversation runs under the settings it is spawned with. */
  ConversationSettings settings;
  final PersistenceTestKit journal;
  final TestProbe<ClusterSharding.ShardCommand> shard;

  ConversationFixture(String overrides) {
    harness = new EntityHarness(overrides);
    settings = ConversationSettings.from(harness.config);
    journal = PersistenceTestKit.create(harness.testKit.system());
    shard = harness.testKit.createTestProbe();
  }

  /**
   * For the test classes that extend it: hand-offs retried after 100 ms and a snapshot every 3
   * events, so that retries and recoveries come within a test; 50 sends buffered, so that a burst
   * overflows.
   */
  ConversationFixture() {
    this("parley.conversation { handoff-retry-interval = 100ms, max-buffered-sends = 50, snapshot-every = 3 }");
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

  Outcome<ConversationActor.SendAck> send(
      ActorRef<ConversationActor.Command> conversation, String sender, String clientMsgId) {
    TestProbe<Outcome<ConversationActor.SendAck>> reply = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Send(sender, clientMsgId, "content of " + clientMsgId, "text", reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(5));
  }

  Outcome<Done> eraseMember(ActorRef<ConversationActor.Command> conversation, String userId) {
    TestProbe<Outcome<Done>> reply = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.EraseMember(userId, reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(5));
  }

  /** Whether the conversation stored an event of {@code type}, inside a batch or not. */
  boolean stored(String conversationId, Class<?> type) {
    return journal.persistedInStorage(ConversationActor.persistenceId(conversationId).id()).stream()
        .flatMap(e -> EventBatches.unbatched(e).stream())
        .anyMatch(type::isInstance);
  }

  void stopAndAwait(ActorRef<ConversationActor.Command> conversation) {
    conversation.tell(ConversationActor.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(conversation, Duration.ofSeconds(5));
  }

  /** The next message of {@code type} the member's user entity is told, skipping others. */
  <T> T next(String member, Class<T> type) {
    return type.cast(harness.userProbe(member).fishForMessage(Duration.ofSeconds(5),
        told -> type.isInstance(told) ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0));
  }

  /** A member's UserActor reports how far it has stored, and the conversation has handled it. */
  void reportHandedOff(ActorRef<ConversationActor.Command> conversation, String userId, long seq) {
    conversation.tell(new ConversationActor.HandedOff(userId, seq, 0));
    awaitProcessed(conversation);
  }

  /**
   * Returns once the conversation has handled everything sent to it so far, so that a tick
   * already queued cannot see the clock moved by the next line before it sees the confirmation.
   */
  void awaitProcessed(ActorRef<ConversationActor.Command> conversation) {
    TestProbe<Outcome<ConversationActor.Location>> located = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.LocateMessages("alice", Long.MAX_VALUE, 1, located.ref()));
    located.receiveMessage(Duration.ofSeconds(5));
  }

  static <T> void drain(TestProbe<T> probe) {
    received(probe, Duration.ofMillis(200));
  }

  void eventually(Runnable check) {
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      check.run();
      return null;
    });
  }

  /** A test class that extends the fixture has it closed after each test (one that holds it closes it itself). */
  @AfterEach
  @Override
  public void close() {
    harness.shutdown();
  }
}
