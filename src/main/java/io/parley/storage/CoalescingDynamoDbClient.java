package io.parley.storage;

import com.amazonaws.AmazonWebServiceRequest;
import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.AnonymousAWSCredentials;
import com.amazonaws.handlers.AsyncHandler;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsync;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsyncClient;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemResult;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemResult;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.CreateTableResult;
import com.amazonaws.services.dynamodbv2.model.DeleteItemRequest;
import com.amazonaws.services.dynamodbv2.model.DeleteItemResult;
import com.amazonaws.services.dynamodbv2.model.DeleteTableRequest;
import com.amazonaws.services.dynamodbv2.model.DeleteTableResult;
import com.amazonaws.services.dynamodbv2.model.DescribeTableRequest;
import com.amazonaws.services.dynamodbv2.model.DescribeTableResult;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemResult;
import com.amazonaws.services.dynamodbv2.model.KeysAndAttributes;
import com.amazonaws.services.dynamodbv2.model.ListTablesRequest;
import com.amazonaws.services.dynamodbv2.model.ListTablesResult;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemResult;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.QueryResult;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.amazonaws.services.dynamodbv2.model.ScanResult;
import com.amazonaws.services.dynamodbv2.model.UpdateItemRequest;
import com.amazonaws.services.dynamodbv2.model.UpdateItemResult;
import com.amazonaws.services.dynamodbv2.model.UpdateTableRequest;
import com.amazonaws.services.dynamodbv2.model.UpdateTableResult;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The journal's DynamoDB client with its writes and its batched reads coalesced across entities
 * (see {@link WriteCoalescer}, {@link ReadCoalescer}), a recovery's two Queries of one
 * partition made one ({@link RecoveryReads}) and its low marks read with its high marks
 * ({@link LowMarkReads}); every other call goes to the client it wraps
 * unchanged. It has to be
 * an {@link AmazonDynamoDBAsyncClient}, the type the persistence plugin holds (see
 * {@link CoalescingDynamoDBJournal}); the state it inherits is unused.
 */
final class CoalescingDynamoDbClient extends AmazonDynamoDBAsyncClient {
  /**
   * A write DynamoDB leaves unprocessed (throttled) is retried this often before the caller hears
   * of a failure. Callers never see unprocessed items: the persistence plugin ignores them where it
   * writes an event that opens a journal partition together with the partition's high-water mark
   * (one BatchWriteItem, answered as stored whatever it left unprocessed), and a mark lost that way
   * hides every later event of the entity from recovery and from history reads.
   */
  static final int WRITE_ATTEMPTS = 10;
  /**
   * The first retry's delay, doubled for each next one (about a second over all attempts, as the
   * plugin backs off for BatchWriteItem): DynamoDB throttles for a while, not for one request,
   * and retrying at once used up every attempt within one hold (seen when a checkpoint held an
   * earlier embedded store's database), failing the entity's write.
   */
  static final long FIRST_RETRY_DELAY_MILLIS = 1;

  /** Runs delayed retries only; the retried write itself goes through the coalescer. */
  private static final ScheduledExecutorService RETRIES = Executors.newSingleThreadScheduledExecutor(
      new DaemonThreads("dynamodb-write-retries"));

  private final AmazonDynamoDBAsync client;
  private final WriteCoalescer writes;
  private final ReadCoalescer reads;
  private final RecoveryReads recoveries; // null: Queries go out as they are
  private final LowMarkReads lowMarks; // null: BatchGetItems go out as they are
  /** Those of the two above there are: every write through this client tells them. */
  private final List<KeptJournalReads> keptReads;

  CoalescingDynamoDbClient(
      AmazonDynamoDBAsync client, RowWrites writeAs, int maxWritesInFlight, int maxReadsInFlight) {
    this(client, writeAs, maxWritesInFlight, maxReadsInFlight, null, null, null);
  }

  /** {@code writesAfterTurn}: where a write that could go out at once is sent from (see {@link GroupCommit}); null: at once. */
  @SuppressWarnings("deprecation")
  CoalescingDynamoDbClient(AmazonDynamoDBAsync client, RowWrites writeAs, int maxWritesInFlight,
      int maxReadsInFlight, RecoveryReads recoveries, LowMarkReads lowMarks, Executor writesAfterTurn) {
    super(new AWSStaticCredentialsProvider(new AnonymousAWSCredentials()), Executors.newSingleThreadExecutor());
    this.client = client;
    this.writes = writeAs == RowWrites.TRANSACTIONS
        ? new TransactionCoalescer(client::transactWriteItemsAsync, maxWritesInFlight, writesAfterTurn)
        : new WriteCoalescer(client::batchWriteItemAsync, maxWritesInFlight, writesAfterTurn);
    this.reads = new ReadCoalescer(client::batchGetItemAsync, maxReadsInFlight);
    this.recoveries = recoveries;
    this.lowMarks = lowMarks;
    this.keptReads = Stream.of(recoveries, lowMarks).filter(Objects::nonNull).map(KeptJournalReads.class::cast).toList();
  }

  @Override
  public Future<BatchWriteItemResult> batchWriteItemAsync(
      BatchWriteItemRequest request, AsyncHandler<BatchWriteItemRequest, BatchWriteItemResult> handler) {
    keptReads.forEach(kept -> kept.writing(request.getRequestItems()));
    if (!plain(request)) {
      return client.batchWriteItemAsync(request, handler);
    }
    CompletableFuture<BatchWriteItemResult> result = new CompletableFuture<>();
    BiConsumer<BatchWriteItemResult, Exception> answer = answering(request, handler, result);
    // As DynamoDB answers: a map of unprocessed items, empty (the plugin reads it without a null check).
    write(request.getRequestItems(), failure -> answer.accept(
        failure == null ? new BatchWriteItemResult().withUnprocessedItems(new HashMap<>()) : null, failure),
        WRITE_ATTEMPTS);
    return result;
  }

  @Override
  public Future<PutItemResult> putItemAsync(PutItemRequest request, AsyncHandler<PutItemRequest, PutItemResult> handler) {
    writing(request.getTableName(), request.getItem());
    if (!plain(request) || request.getConditionExpression() != null || request.getExpected() != null
        || request.getReturnValues() != null) {
      return client.putItemAsync(request, handler);
    }
    CompletableFuture<PutItemResult> result = new CompletableFuture<>();
    BiConsumer<PutItemResult, Exception> answer = answering(request, handler, result);
    WriteRequest put = new WriteRequest().withPutRequest(new PutRequest().withItem(request.getItem()));
    write(Map.of(request.getTableName(), List.of(put)),
        failure -> answer.accept(failure == null ? new PutItemResult() : null, failure), WRITE_ATTEMPTS);
    return result;
  }

  /** Writes {@code items} through the coalescer, again for what is left unprocessed, backing off. */
  private void write(Map<String, List<WriteRequest>> items, Consumer<Exception> done, int attemptsLeft) {
    writes.submit(items, (unprocessed, failure) -> {
      boolean left = failure == null && unprocessed.values().stream().anyMatch(list -> !list.isEmpty());
      if (left && attemptsLeft > 1) {
        long delay = FIRST_RETRY_DELAY_MILLIS << (WRITE_ATTEMPTS - attemptsLeft);
        RETRIES.schedule(() -> write(unprocessed, done, attemptsLeft - 1), delay, TimeUnit.MILLISECONDS);
      } else if (left) {
        done.accept(new IllegalStateException("DynamoDB left writes unprocessed " + WRITE_ATTEMPTS + " times"));
      } else {
        done.accept(failure);
      }
    });
  }

  /**
   * Recoveries read their sequence numbers with BatchGetItem, merged across entities, and a
   * recovery's low marks with its high marks ({@link LowMarkReads}); reads whose items could not
   * be told apart by key go out as they are.
   */
  @Override
  public Future<BatchGetItemResult> batchGetItemAsync(
      BatchGetItemRequest request, AsyncHandler<BatchGetItemRequest, BatchGetItemResult> handler) {
    if (!plain(request) || !ReadCoalescer.mergeable(request.getRequestItems())) {
      return client.batchGetItemAsync(request, handler);
    }
    CompletableFuture<BatchGetItemResult> result = new CompletableFuture<>();
    BiConsumer<BatchGetItemResult, Exception> answer = answering(request, handler, result);
    Map<String, KeysAndAttributes> asked = request.getRequestItems();
    if (lowMarks == null) {
      reads.submit(asked, answer);
      return result;
    }
    Optional<BatchGetItemResult> known = lowMarks.lowMarksRead(asked);
    if (known.isPresent()) {
      answer.accept(known.get(), null);
      return result;
    }
    reads.submit(lowMarks.toSend(asked), (found, failure) -> {
      if (failure != null) {
        lowMarks.failed(asked);
        answer.accept(null, failure);
      } else {
        answer.accept(lowMarks.received(asked, found), null);
      }
    });
    return result;
  }

  /** Answers an asynchronous call the way the SDK does: its handler (if any), then its future. */
  private static <Q extends AmazonWebServiceRequest, S> BiConsumer<S, Exception> answering(
      Q request, AsyncHandler<Q, S> handler, CompletableFuture<S> result) {
    return (answer, failure) -> {
      if (failure != null) {
        if (handler != null) {
          handler.onError(failure);
        }
        result.completeExceptionally(failure);
      } else {
        if (handler != null) {
          handler.onSuccess(request, answer);
        }
        result.complete(answer);
      }
    };
  }

  /** Requests with per-request settings of their own are not merged. */
  private static boolean plain(AmazonWebServiceRequest request) {
    return request.getCustomRequestHeaders() == null && request.getCustomQueryParameters() == null;
  }

  @Override
  public Future<QueryResult> queryAsync(QueryRequest request, AsyncHandler<QueryRequest, QueryResult> handler) {
    if (recoveries == null || !plain(request)) {
      return client.queryAsync(request, handler);
    }
    Optional<QueryResult> kept = recoveries.replayRead(request);
    if (kept.isEmpty() && !recoveries.isHighestRead(request)) {
      return client.queryAsync(request, handler);
    }
    CompletableFuture<QueryResult> result = new CompletableFuture<>();
    BiConsumer<QueryResult, Exception> answer = answering(request, handler, result);
    if (kept.isPresent()) {
      answer.accept(kept.get(), null);
      return result;
    }
    client.queryAsync(recoveries.whole(request), new AsyncHandler<>() {
      @Override
      public void onError(Exception failure) {
        recoveries.failed(request);
        answer.accept(null, failure);
      }

      @Override
      public void onSuccess(QueryRequest sent, QueryResult found) {
        recoveries.highestRead(request, found);
        answer.accept(found, null);
      }
    });
    return result;
  }

  private void writing(String table, Map<String, AttributeValue> key) {
    keptReads.forEach(kept -> kept.writing(table, key));
  }

  @Override
  public Future<ScanResult> scanAsync(ScanRequest request, AsyncHandler<ScanRequest, ScanResult> handler) {
    return client.scanAsync(request, handler);
  }

  @Override
  public Future<GetItemResult> getItemAsync(GetItemRequest request, AsyncHandler<GetItemRequest, GetItemResult> handler) {
    return client.getItemAsync(request, handler);
  }

  @Override
  public Future<DeleteItemResult> deleteItemAsync(
      DeleteItemRequest request, AsyncHandler<DeleteItemRequest, DeleteItemResult> handler) {
    writing(request.getTableName(), request.getKey());
    return client.deleteItemAsync(request, handler);
  }

  @Override
  public Future<UpdateItemResult> updateItemAsync(
      UpdateItemRequest request, AsyncHandler<UpdateItemRequest, UpdateItemResult> handler) {
    writing(request.getTableName(), request.getKey());
    return client.updateItemAsync(request, handler);
  }

  @Override
  public Future<ListTablesResult> listTablesAsync(
      ListTablesRequest request, AsyncHandler<ListTablesRequest, ListTablesResult> handler) {
    return client.listTablesAsync(request, handler);
  }

  @Override
  public Future<DescribeTableResult> describeTableAsync(
      DescribeTableRequest request, AsyncHandler<DescribeTableRequest, DescribeTableResult> handler) {
    return client.describeTableAsync(request, handler);
  }

  @Override
  public Future<CreateTableResult> createTableAsync(
      CreateTableRequest request, AsyncHandler<CreateTableRequest, CreateTableResult> handler) {
    return client.createTableAsync(request, handler);
  }

  @Override
  public Future<UpdateTableResult> updateTableAsync(
      UpdateTableRequest request, AsyncHandler<UpdateTableRequest, UpdateTableResult> handler) {
    return client.updateTableAsync(request, handler);
  }

  @Override
  public Future<DeleteTableResult> deleteTableAsync(
      DeleteTableRequest request, AsyncHandler<DeleteTableRequest, DeleteTableResult> handler) {
    return client.deleteTableAsync(request, handler);
  }

  @Override
  public void shutdown() {
    super.shutdown();
    client.shutdown();
  }
}
