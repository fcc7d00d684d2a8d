package io.parley.storage;

import com.amazonaws.AmazonWebServiceRequest;
import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.AnonymousAWSCredentials;
import com.amazonaws.handlers.AsyncHandler;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsyncClient;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The journal's DynamoDB client with its writes coalesced across entities (see
 * {@link WriteCoalescer}); every other call goes to the client it wraps unchanged. It has to be
 * an {@link AmazonDynamoDBAsyncClient}, the type the persistence plugin holds (see
 * {@link CoalescingDynamoDBJournal}); the state it inherits is unused.
 */
final class CoalescingDynamoDbClient extends AmazonDynamoDBAsyncClient {
  /** A plain PutItem is retried this often when DynamoDB leaves it unprocessed (throttled). */
  private static final int PUT_ATTEMPTS = 10;

  private final AmazonDynamoDBAsyncClient client;
  private final WriteCoalescer writes;

  @SuppressWarnings("deprecation")
  CoalescingDynamoDbClient(AmazonDynamoDBAsyncClient client, int maxWritesInFlight) {
    super(new AWSStaticCredentialsProvider(new AnonymousAWSCredentials()), Executors.newSingleThreadExecutor());
    this.client = client;
    this.writes = new WriteCoalescer(client::batchWriteItemAsync, maxWritesInFlight);
  }

  @Override
  public Future<BatchWriteItemResult> batchWriteItemAsync(
      BatchWriteItemRequest request, AsyncHandler<BatchWriteItemRequest, BatchWriteItemResult> handler) {
    if (!plain(request)) {
      return client.batchWriteItemAsync(request, handler);
    }
    CompletableFuture<BatchWriteItemResult> result = new CompletableFuture<>();
    writes.submit(request.getRequestItems(), (unprocessed, failure) -> {
      if (failure != null) {
        handler.onError(failure);
        result.completeExceptionally(failure);
      } else {
        BatchWriteItemResult answer = new BatchWriteItemResult().withUnprocessedItems(unprocessed);
        handler.onSuccess(request, answer);
        result.complete(answer);
      }
    });
    return result;
  }

  @Override
  public Future<PutItemResult> putItemAsync(PutItemRequest request, AsyncHandler<PutItemRequest, PutItemResult> handler) {
    if (!plain(request) || request.getConditionExpression() != null || request.getExpected() != null
        || request.getReturnValues() != null) {
      return client.putItemAsync(request, handler);
    }
    CompletableFuture<PutItemResult> result = new CompletableFuture<>();
    put(request, handler, result, PUT_ATTEMPTS);
    return result;
  }

  private void put(PutItemRequest request, AsyncHandler<PutItemRequest, PutItemResult> handler,
      CompletableFuture<PutItemResult> result, int attemptsLeft) {
    WriteRequest write = new WriteRequest().withPutRequest(new PutRequest().withItem(request.getItem()));
    writes.submit(Map.of(request.getTableName(), List.of(write)), (unprocessed, failure) -> {
      if (failure == null && !unprocessed.isEmpty() && attemptsLeft > 1) {
        put(request, handler, result, attemptsLeft - 1);
      } else if (failure != null || !unprocessed.isEmpty()) {
        Exception error = failure != null ? failure
            : new IllegalStateException("DynamoDB left a PutItem unprocessed " + PUT_ATTEMPTS + " times");
        handler.onError(error);
        result.completeExceptionally(error);
      } else {
        PutItemResult answer = new PutItemResult();
        handler.onSuccess(request, answer);
        result.complete(answer);
      }
    });
  }

  /** Requests with per-request settings of their own are not merged. */
  private static boolean plain(AmazonWebServiceRequest request) {
    return request.getCustomRequestHeaders() == null && request.getCustomQueryParameters() == null;
  }

  @Override
  public Future<BatchGetItemResult> batchGetItemAsync(
      BatchGetItemRequest request, AsyncHandler<BatchGetItemRequest, BatchGetItemResult> handler) {
    return client.batchGetItemAsync(request, handler);
  }

  @Override
  public Future<QueryResult> queryAsync(QueryRequest request, AsyncHandler<QueryRequest, QueryResult> handler) {
    return client.queryAsync(request, handler);
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
    return client.deleteItemAsync(request, handler);
  }

  @Override
  public Future<UpdateItemResult> updateItemAsync(
      UpdateItemRequest request, AsyncHandler<UpdateItemRequest, UpdateItemResult> handler) {
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
