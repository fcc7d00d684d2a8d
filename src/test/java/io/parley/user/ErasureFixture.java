package io.parley.user;

import com.typesafe.config.ConfigFactory;
import io.parley.cluster.EventBatches;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.MessageIds;
import io.parley.push.PushToken;
import io.parley.testing.EntityHarness;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.DeleteEvents;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess$;
import org.apache.pekko.persistence.testkit.StorageFailure;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the tests of the user entity's erasure ({@link Erasure}) share: a UserActor for bob on
 * Pekko's persistence testkit, conversations as probes, what the account keeps elsewhere as
 * futures the test completes, and the steps the tests take. Each test class of one part of the
 * erasure extends it.
 */
abstract class ErasureFixture {
  static final String DIRECT = "d:alice:bob";
  static final String GROUP = "g.climbing";

  EntityHarness harness;
  UserSettings settings;
  PersistenceTestKit journal;
  SnapshotTestKit snapshots;
  /** Every event the entity wrote, whether or not it is still stored (an erasure deletes them). */
  final List<Object> written = new CopyOnWriteArrayList<>();
  /** Deleting events fails while set, as a store that is down would. */
  volatile boolean deletesFail;
  TestProbe<ClusterSharding.ShardCommand> shard;
  /** The erasures of what the account keeps elsewhere, as asked; completed at once unless held. */
  final List<CompletableFuture<Object>> elsewhereErasures = new CopyOnWriteArrayList<>();
  volatile boolean holdElsewhere;
  /** What the member index lists for the user. */
  volatile List<String> indexed = List.of();
  final KeptElsewhere elsewhere = new KeptElsewhere() {
    @Override
    public CompletableFuture<Object> erase(String userId) {
      CompletableFuture<Object> erasing = new CompletableFuture<>();
      elsewhereErasures.add(erasing);
      if (!holdElsewhere) {
        erasing.complete(userId);
      }
      return erasing;
    }

    @Override
    public CompletableFuture<List<String>> conversations(String userId) {
      return CompletableFuture.completedFuture(indexed);
    }

    @Override
    public CompletableFuture<Object> forgetPushTokens(String userId, java.util.Collection<PushToken> tokens) {
      tokensForgotten.addAll(tokens);
      return CompletableFuture.completedFuture(null);
    }

    public CompletableFuture<Object> markErasing(String userId, long requestedTs) {
      markedFor.add(requestedTs);
      CompletableFuture<Object> marking = new CompletableFuture<>();
      markings.add(marking);
      if (!holdMarking) {
        marking.complete(userId);
      }
      return marking;
    }
  };
  /** The push tokens whose owner records were told to forget the user. */
  final List<PushToken> tokensForgotten = new CopyOnWriteArrayList<>();
  /** The account's marks as erasing, as asked; completed at once unless held. */
  final List<CompletableFuture<Object>> markings = new CopyOnWriteArrayList<>();
  /** The time of the erasure each mark was asked for. */
  final List<Long> markedFor = new CopyOnWriteArrayList<>();
  volatile boolean holdMarking;

  @BeforeEach
  void setUp() {
    start("");
  }

  void start(String overrides) {
    harness = new EntityHarness(ConfigFactory.parseString(overrides + "\nparley.user.snapshot-every = 5")
        .withFallback(ManualTime.config()).root().render());
    settings = UserSettings.from(harness.config);
    journal = PersistenceTestKit.create(harness.testKit.system());
    journal.withPolicy(new ProcessingPolicy<JournalOperation>() {
      @Override
      public ProcessingResult tryProcess(String persistenceId, JournalOperation operation) {
        if (operation instanceof WriteEvents write) {
          written.addAll(write.getBatch());
        }
        if (operation instanceof DeleteEvents && deletesFail) {
          return new StorageFailure(new IllegalStateException("the store is down"));
        }
        return ProcessingSuccess$.MODULE$;
      }
    });
    snapshots = SnapshotTestKit.create(harness.testKit.system());
    shard = harness.testKit.createTestProbe();
  }

  @AfterEach
  void tearDown() {
    harness.shutdown();
  }

  ActorRef<UserActor.Command> spawn() {
    return harness.testKit.spawn(UserActor.create("bob", shard.ref(), harness, settings, push -> {}, elsewhere, harness.clock));
  }

  ActorRef<UserActor.Command> restart(ActorRef<UserActor.Command> user) {
    user.tell(UserActor.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(user, Duration.ofSeconds(5));
    return spawn();
  }

  void deliver(ActorRef<UserActor.Command> user, String conversationId, List<String> members, String sender) {
    long ts = harness.clock.millis();
    var info = new ConversationInfo(conversationId, conversationId.startsWith("g.") ? "Climbing" : null, members, 0);
    user.tell(new UserActor.Deliver(info, 0, List.of(
        new ChatMessage(conversationId, 1, MessageIds.of(conversationId, 1, ts), sender, "c1", "secret text", "text", ts))));
    harness.conversationProbe(conversationId).fishForMessage(Duration.ofSeconds(5), m ->
        m instanceof ConversationActor.HandedOff ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
  }

  Erasure.Status erase(ActorRef<UserActor.Command> user) {
    TestProbe<Erasure.Status> status = harness.testKit.createTestProbe();
    user.tell(new UserActor.Erase(status.ref()));
    return status.receiveMessage(Duration.ofSeconds(5));
  }

  ConversationActor.EraseMember eraseAsked(String conversationId) {
    return (ConversationActor.EraseMember) harness.conversationProbe(conversationId).fishForMessage(Duration.ofSeconds(5),
        m -> m instanceof ConversationActor.EraseMember ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore())
        .get(0);
  }

  void eventually(Runnable check) {
    harness.testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      check.run();
      return null;
    });
  }

  /** Everything the probe receives until it has been quiet for a while. */
  static <T> List<T> received(TestProbe<T> probe) {
    return receivedWithin(probe, Duration.ofMillis(300));
  }

  static <T> List<T> receivedWithin(TestProbe<T> probe, Duration quiet) {
    return EntityHarness.received(probe, quiet);
  }

  /** Events of {@code type} the entity stored, counting those its erasure deleted since. */
  long persisted(Class<?> type) {
    return written.stream()
        .flatMap(e -> EventBatches.unbatched(e).stream())
        .filter(type::isInstance)
        .count();
  }

  UserActor.ExportData export(ActorRef<UserActor.Command> user) {
    TestProbe<UserActor.ExportData> export = harness.testKit.createTestProbe();
    user.tell(new UserActor.GetExport(export.ref()));
    return export.receiveMessage(Duration.ofSeconds(5));
  }
}
