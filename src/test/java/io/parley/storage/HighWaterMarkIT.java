package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.handlers.AsyncHandler;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsyncClient;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemResult;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemResult;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.QueryResult;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import com.typesafe.config.Config;
import io.parley.testing.ParleyProcess;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.dynamodb.journal.DynamoDBHelper;
import org.apache.pekko.persistence.dynamodb.query.javadsl.DynamoDBReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persistence plugin writes the event that opens a journal partition (sequence number 100,
 * 200, …) together with the partition's high-water mark, in one BatchWriteItem whose unprocessed
 * items it ignores; a write of several events goes another way (BatchWriteItems whose answers it
 * reads), which must work through the coalescing client too. With DynamoDB leaving the mark unprocessed once (as it may when it
 * throttles), every event the entity persisted must still be found, by
 * history reads (the read journal) and by recovery. The plugin's own safeguard (high-distrust) is
 * off here, so the mark itself has to be stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HighWaterMarkIT {
  static final int SINGLES = 105; // one event per write, past the first partition's 100
  static final List<Integer> TOGETHER = List.of(106, 107, 108); // one write of three: the plugin's other path
  static final int EVENTS = SINGLES + TOGETHER.size();

  /** The coalescing journal over a store that leaves the first high-water mark it is sent unprocessed. */
  public static final class MarkDroppingJournal extends org.apache.pekko.persistence.dynamodb.journal.DynamoDBJournal {
    static final AtomicBoolean DROPPED = new AtomicBoolean();

    public MarkDroppingJournal(com.typesafe.config.Config config) throws ReflectiveOperationException {
      super(config);
      DynamoDBHelper helper = dynamo();
      Field field = helper.getClass().getDeclaredField("dynamoDB");
      field.setAccessible(true);
      AmazonDynamoDBAsyncClient real = (AmazonDynamoDBAsyncClient) field.get(helper);
      field.set(helper, new CoalescingDynamoDbClient(new MarkDroppingStore(real), RowWrites.BATCHES, 2, 2));
    }
  }

  @SuppressWarnings("deprecation")
  static final class MarkDroppingStore extends AmazonDynamoDBAsyncClient {
    private final AmazonDynamoDBAsyncClient real;

    MarkDroppingStore(AmazonDynamoDBAsyncClient real) {
      super(new com.amazonaws.auth.AWSStaticCredentialsProvider(new com.amazonaws.auth.AnonymousAWSCredentials()),
          java.util.concurrent.Executors.newSingleThreadExecutor());
      this.real = real;
    }

    @Override
    public Future<BatchWriteItemResult> batchWriteItemAsync(
        BatchWriteItemRequest request, AsyncHandler<BatchWriteItemRequest, BatchWriteItemResult> handler) {
      Map<String, List<WriteRequest>> sent = new HashMap<>();
      Map<String, List<WriteRequest>> left = new HashMap<>();
      request.getRequestItems().forEach((table, writes) -> writes.forEach(write -> {
        boolean mark = write.getPutRequest() != null
            && write.getPutRequest().getItem().get("par").getS().contains("-SH-");
        boolean drop = mark && MarkDroppingJournal.DROPPED.compareAndSet(false, true);
        (drop ? left : sent).computeIfAbsent(table, t -> new ArrayList<>()).add(write);
      }));
      if (sent.isEmpty()) {
        BatchWriteItemResult result = new BatchWriteItemResult().withUnprocessedItems(left);
        handler.onSuccess(request, result);
        return CompletableFuture.completedFuture(result);
      }
      return real.batchWriteItemAsync(request.clone().withRequestItems(sent), new AsyncHandler<>() {
        @Override
        public void onError(Exception exception) {
          handler.onError(exception);
        }

        @Override
        public void onSuccess(BatchWriteItemRequest stored, BatchWriteItemResult result) {
          Map<String, List<WriteRequest>> unprocessed = new HashMap<>(left);
          if (result.getUnprocessedItems() != null) {
            result.getUnprocessedItems().forEach((table, writes) ->
                unprocessed.computeIfAbsent(table, t -> new ArrayList<>()).addAll(writes));
          }
          handler.onSuccess(request, result.withUnprocessedItems(unprocessed));
        }
      });
    }

    @Override
    public Future<BatchGetItemResult> batchGetItemAsync(
        BatchGetItemRequest request, AsyncHandler<BatchGetItemRequest, BatchGetItemResult> handler) {
      return real.batchGetItemAsync(request, handler);
    }

    @Override
    public Future<QueryResult> queryAsync(QueryRequest request, AsyncHandler<QueryRequest, QueryResult> handler) {
      return real.queryAsync(request, handler);
    }
  }

  /** Persists the numbers it is sent (in one write), then answers how many it holds; {@code Count} only answers. */
  interface Command {}

  record Append(List<Integer> values, ActorRef<Integer> replyTo) implements Command {}

  record Count(ActorRef<Integer> replyTo) implements Command {}

  static Behavior<Command> counter(String id) {
    return new EventSourcedBehavior<Command, Integer, Integer>(PersistenceId.ofUniqueId(id)) {
      @Override
      public Integer emptyState() {
        return 0;
      }

      @Override
      public CommandHandler<Command, Integer, Integer> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
            .onCommand(Append.class, (state, cmd) -> Effect().persist(cmd.values()).thenReply(cmd.replyTo(), s -> s))
            .onCommand(Count.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
            .build();
      }

      @Override
      public EventHandler<Integer, Integer> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onEvent(Integer.class, (state, event) -> state + 1).build();
      }
    };
  }

  EmbeddedDynamoDb dynamo;
  ActorTestKit testKit;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    dynamo = EmbeddedDynamoDb.start(dir, ParleyProcess.freePort());
    Config config = LocalPersistence.config(dynamo, """
        dynamodb-journal.class = "io.parley.storage.HighWaterMarkIT$MarkDroppingJournal"
        dynamodb-journal.fixes.high-distrust = off
        dynamodb-read-journal.fixes.high-distrust = off
        """);
    testKit = ActorTestKit.create("high-water-mark-it", config);
  }

  @AfterAll
  void stop() throws Exception {
    testKit.shutdownTestKit();
    dynamo.close();
  }

  @Test
  void anEventStoredWithAMarkLeftUnprocessedOnceIsNotHiddenFromReadsOrRecovery() throws Exception {
    String id = "counter-1";
    TestProbe<Integer> probe = testKit.createTestProbe();
    ActorRef<Command> entity = testKit.spawn(counter(id));
    for (int i = 1; i <= SINGLES; i++) {
      entity.tell(new Append(List.of(i), probe.ref()));
      assertEquals(i, probe.receiveMessage(Duration.ofSeconds(10)));
    }
    entity.tell(new Append(TOGETHER, probe.ref()));
    assertEquals(EVENTS, probe.receiveMessage(Duration.ofSeconds(10)), "a write of several events stored");
    assertTrue(MarkDroppingJournal.DROPPED.get(), "the store left a high-water mark unprocessed");

    DynamoDBReadJournal reads = PersistenceQuery.get(testKit.system())
        .getReadJournalFor(DynamoDBReadJournal.class, "dynamodb-read-journal");
    List<Object> events = reads.currentEventsByPersistenceId(id, 1, Integer.MAX_VALUE)
        .map(envelope -> envelope.event())
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(EVENTS, events.size(), "events the read journal finds");

    testKit.stop(entity);
    ActorRef<Command> recovered = testKit.spawn(counter(id));
    recovered.tell(new Count(probe.ref()));
    assertEquals(EVENTS, probe.receiveMessage(Duration.ofSeconds(10)), "events recovery replays");
  }
}
