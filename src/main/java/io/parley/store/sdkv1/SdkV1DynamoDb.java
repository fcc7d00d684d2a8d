package io.parley.store.sdkv1;

import static io.parley.store.sdkv1.SdkV1Values.sdkItem;
import static io.parley.store.sdkv1.SdkV1Values.sdkItems;

import com.amazonaws.handlers.AsyncHandler;
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
import com.amazonaws.services.dynamodbv2.model.DescribeTimeToLiveRequest;
import com.amazonaws.services.dynamodbv2.model.DescribeTimeToLiveResult;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemResult;
import com.amazonaws.services.dynamodbv2.model.KeysAndAttributes;
import com.amazonaws.services.dynamodbv2.model.ListTablesRequest;
import com.amazonaws.services.dynamodbv2.model.ListTablesResult;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemResult;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.QueryResult;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.amazonaws.services.dynamodbv2.model.ScanResult;
import com.amazonaws.services.dynamodbv2.model.TimeToLiveDescription;
import com.amazonaws.services.dynamodbv2.model.TimeToLiveSpecification;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsRequest;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsResult;
import com.amazonaws.services.dynamodbv2.model.UpdateItemRequest;
import com.amazonaws.services.dynamodbv2.model.UpdateItemResult;
import com.amazonaws.services.dynamodbv2.model.UpdateTableRequest;
import com.amazonaws.services.dynamodbv2.model.UpdateTableResult;
import com.amazonaws.services.dynamodbv2.model.UpdateTimeToLiveRequest;
import com.amazonaws.services.dynamodbv2.model.UpdateTimeToLiveResult;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import io.parley.store.engine.BatchCapacity;
import io.parley.store.engine.Capacity;
import io.parley.store.engine.StoreEngine;
import io.parley.store.model.Requests;
import io.parley.store.model.Responses;
import io.parley.store.model.StoreException;
import io.parley.store.model.TableInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The store behind the AWS SDK v1 {@code AmazonDynamoDB} and {@code AmazonDynamoDBAsync}
 * interfaces, in-process: requests are converted to the store's model and run on the calling
 * thread; answers and refusals come back as the SDK's HTTP client would give them. A synchronous
 * write waits for its group commit; an asynchronous one returns at once and is answered (handler,
 * then future) on the writer's thread after the commit, so no other thread is involved. An
 * asynchronous read runs on the calling thread and returns a completed future. Operations the
 * store does not implement throw {@link UnsupportedOperationException}, as the SDK's abstract
 * classes do.
 */
public final class SdkV1DynamoDb extends SdkV1ShortForms {
  private final StoreEngine engine;

  public SdkV1DynamoDb(StoreEngine engine) {
    this.engine = engine;
  }

  private static <T> T call(Supplier<T> operation) {
    try {
      return operation.get();
    } catch (StoreException refused) {
      throw SdkV1Errors.of(refused);
    }
  }

  @Override
  public CreateTableResult createTable(CreateTableRequest request) {
    return call(() -> new CreateTableResult().withTableDescription(
        SdkV1Tables.description(engine.createTable(SdkV1Requests.createTable(request)))));
  }

  @Override
  public DescribeTableResult describeTable(DescribeTableRequest request) {
    return call(() -> new DescribeTableResult().withTable(SdkV1Tables.description(engine.describeTable(request.getTableName()))));
  }

  @Override
  public DeleteTableResult deleteTable(DeleteTableRequest request) {
    return call(() -> new DeleteTableResult().withTableDescription(
        SdkV1Tables.description(engine.deleteTable(request.getTableName())).withTableStatus("DELETING")));
  }

  @Override
  public ListTablesResult listTables(ListTablesRequest request) {
    return call(() -> SdkV1Tables.page(engine.listTables(), request));
  }

  @Override
  public UpdateTableResult updateTable(UpdateTableRequest request) {
    return call(() -> new UpdateTableResult().withTableDescription(SdkV1Tables.description(
        engine.updateTable(request.getTableName(), SdkV1Requests.indexChanges(request)))));
  }

  @Override
  public UpdateTimeToLiveResult updateTimeToLive(UpdateTimeToLiveRequest request) {
    return call(() -> {
      TimeToLiveSpecification specification = request.getTimeToLiveSpecification();
      if (specification == null) {
        throw StoreException.validation("1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null");
      }
      engine.updateTimeToLive(request.getTableName(), specification.getAttributeName(),
          Boolean.TRUE.equals(specification.getEnabled()));
      return new UpdateTimeToLiveResult().withTimeToLiveSpecification(specification);
    });
  }

  @Override
  public DescribeTimeToLiveResult describeTimeToLive(DescribeTimeToLiveRequest request) {
    return call(() -> {
      TableInfo info = engine.describeTimeToLive(request.getTableName());
      TimeToLiveDescription description = new TimeToLiveDescription()
          .withTimeToLiveStatus(info.ttlEnabled() ? "ENABLED" : "DISABLED");
      if (info.ttlEnabled()) {
        description.setAttributeName(info.ttlAttribute());
      }
      return new DescribeTimeToLiveResult().withTimeToLiveDescription(description);
    });
  }

  @Override
  public PutItemResult putItem(PutItemRequest request) {
    return call(() -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.PutItem put = SdkV1Requests.putItem(request);
      return new PutItemResult().withAttributes(sdkItem(engine.putItem(put)))
          .withConsumedCapacity(SdkV1Capacity.of(wanted, put.table(), Capacity.write(put.item())));
    });
  }

  @Override
  public GetItemResult getItem(GetItemRequest request) {
    return call(() -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.GetItem get = SdkV1Requests.getItem(request);
      Map<String, io.parley.store.model.AttributeValue> item = engine.getItem(get);
      return new GetItemResult().withItem(sdkItem(item))
          .withConsumedCapacity(SdkV1Capacity.of(wanted, get.table(), Capacity.read(item, get.consistentRead())));
    });
  }

  @Override
  public DeleteItemResult deleteItem(DeleteItemRequest request) {
    return call(() -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.DeleteItem delete = SdkV1Requests.deleteItem(request);
      Map<String, io.parley.store.model.AttributeValue> old = engine.deleteItem(delete);
      return new DeleteItemResult().withAttributes(sdkItem(old))
          .withConsumedCapacity(SdkV1Capacity.of(wanted, delete.table(), Capacity.write(old)));
    });
  }

  @Override
  public UpdateItemResult updateItem(UpdateItemRequest request) {
    return call(() -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.UpdateItem update = SdkV1Requests.updateItem(request);
      Map<String, io.parley.store.model.AttributeValue> returned = engine.updateItem(update);
      return new UpdateItemResult().withAttributes(sdkItem(returned))
          .withConsumedCapacity(SdkV1Capacity.of(wanted, update.table(), Capacity.write(returned)));
    });
  }

  @Override
  public QueryResult query(QueryRequest request) {
    return call(() -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.Query query = SdkV1Requests.query(request);
      Responses.Page page = engine.query(query);
      return new QueryResult().withItems(sdkItems(page.items())).withCount(page.count())
          .withScannedCount(page.scannedCount()).withLastEvaluatedKey(sdkItem(page.lastEvaluatedKey()))
          .withConsumedCapacity(SdkV1Capacity.of(wanted, query.table(), Capacity.page(page.items(), query.consistentRead())));
    });
  }

  @Override
  public ScanResult scan(ScanRequest request) {
    return call(() -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.Scan scan = SdkV1Requests.scan(request);
      Responses.Page page = engine.scan(scan);
      return new ScanResult().withItems(sdkItems(page.items())).withCount(page.count())
          .withScannedCount(page.scannedCount()).withLastEvaluatedKey(sdkItem(page.lastEvaluatedKey()))
          .withConsumedCapacity(SdkV1Capacity.of(wanted, scan.table(), Capacity.page(page.items(), scan.consistentRead())));
    });
  }

  @Override
  public BatchGetItemResult batchGetItem(BatchGetItemRequest request) {
    return call(() -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.BatchGetItem batch = SdkV1Requests.batchGetItem(request);
      Responses.BatchGetResult result = engine.batchGetItem(batch);
      Map<String, List<Map<String, AttributeValue>>> responses = new LinkedHashMap<>();
      result.responses().forEach((table, items) -> responses.put(table, sdkItems(items)));
      Map<String, KeysAndAttributes> unprocessed = new LinkedHashMap<>();
      result.unprocessedKeys().forEach((table, keys) -> {
        KeysAndAttributes original = request.getRequestItems().get(table);
        List<Map<String, AttributeValue>> sdkKeys = new ArrayList<>();
        keys.keys().forEach(key -> sdkKeys.add(sdkItem(key)));
        unprocessed.put(table, original.clone().withKeys(sdkKeys));
      });
      return new BatchGetItemResult().withResponses(responses).withUnprocessedKeys(unprocessed)
          .withConsumedCapacity(SdkV1Capacity.of(wanted, BatchCapacity.read(batch, result)));
    });
  }

  @Override
  public BatchWriteItemResult batchWriteItem(BatchWriteItemRequest request) {
    return call(() -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.BatchWriteItem batch = SdkV1Requests.batchWriteItem(request);
      engine.batchWriteItem(batch);
      return new BatchWriteItemResult().withUnprocessedItems(new LinkedHashMap<String, List<WriteRequest>>())
          .withConsumedCapacity(SdkV1Capacity.of(wanted, BatchCapacity.write(batch)));
    });
  }

  @Override
  public TransactWriteItemsResult transactWriteItems(TransactWriteItemsRequest request) {
    return call(() -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.TransactWriteItems transaction = SdkV1Requests.transactWriteItems(request);
      engine.transactWriteItems(transaction);
      return new TransactWriteItemsResult().withConsumedCapacity(SdkV1Capacity.of(wanted, BatchCapacity.transact(transaction)));
    });
  }

  @Override
  public Future<PutItemResult> putItemAsync(PutItemRequest request, AsyncHandler<PutItemRequest, PutItemResult> handler) {
    return SdkV1Async.answer(request, handler, () -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.PutItem put = SdkV1Requests.putItem(request);
      return engine.putItemAsync(put).thenApply(old -> new PutItemResult().withAttributes(sdkItem(old))
          .withConsumedCapacity(SdkV1Capacity.of(wanted, put.table(), Capacity.write(put.item()))));
    });
  }

  @Override
  public Future<DeleteItemResult> deleteItemAsync(DeleteItemRequest request,
      AsyncHandler<DeleteItemRequest, DeleteItemResult> handler) {
    return SdkV1Async.answer(request, handler, () -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.DeleteItem delete = SdkV1Requests.deleteItem(request);
      return engine.deleteItemAsync(delete).thenApply(old -> new DeleteItemResult().withAttributes(sdkItem(old))
          .withConsumedCapacity(SdkV1Capacity.of(wanted, delete.table(), Capacity.write(old))));
    });
  }

  @Override
  public Future<UpdateItemResult> updateItemAsync(UpdateItemRequest request,
      AsyncHandler<UpdateItemRequest, UpdateItemResult> handler) {
    return SdkV1Async.answer(request, handler, () -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.UpdateItem update = SdkV1Requests.updateItem(request);
      return engine.updateItemAsync(update).thenApply(returned -> new UpdateItemResult().withAttributes(sdkItem(returned))
          .withConsumedCapacity(SdkV1Capacity.of(wanted, update.table(), Capacity.write(returned))));
    });
  }

  @Override
  public Future<BatchWriteItemResult> batchWriteItemAsync(BatchWriteItemRequest request,
      AsyncHandler<BatchWriteItemRequest, BatchWriteItemResult> handler) {
    return SdkV1Async.answer(request, handler, () -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.BatchWriteItem batch = SdkV1Requests.batchWriteItem(request);
      return engine.batchWriteItemAsync(batch).thenApply(done -> new BatchWriteItemResult()
          .withUnprocessedItems(new LinkedHashMap<String, List<WriteRequest>>())
          .withConsumedCapacity(SdkV1Capacity.of(wanted, BatchCapacity.write(batch))));
    });
  }

  @Override
  public Future<TransactWriteItemsResult> transactWriteItemsAsync(TransactWriteItemsRequest request,
      AsyncHandler<TransactWriteItemsRequest, TransactWriteItemsResult> handler) {
    return SdkV1Async.answer(request, handler, () -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.TransactWriteItems transaction = SdkV1Requests.transactWriteItems(request);
      return engine.transactWriteItemsAsync(transaction).thenApply(done -> new TransactWriteItemsResult()
          .withConsumedCapacity(SdkV1Capacity.of(wanted, BatchCapacity.transact(transaction))));
    });
  }

  @Override
  public Future<GetItemResult> getItemAsync(GetItemRequest request, AsyncHandler<GetItemRequest, GetItemResult> handler) {
    return SdkV1Async.answer(request, handler, () -> SdkV1Async.now(() -> getItem(request)));
  }

  @Override
  public Future<QueryResult> queryAsync(QueryRequest request, AsyncHandler<QueryRequest, QueryResult> handler) {
    return SdkV1Async.answer(request, handler, () -> SdkV1Async.now(() -> query(request)));
  }

  @Override
  public Future<ScanResult> scanAsync(ScanRequest request, AsyncHandler<ScanRequest, ScanResult> handler) {
    return SdkV1Async.answer(request, handler, () -> SdkV1Async.now(() -> scan(request)));
  }

  @Override
  public Future<BatchGetItemResult> batchGetItemAsync(BatchGetItemRequest request,
      AsyncHandler<BatchGetItemRequest, BatchGetItemResult> handler) {
    return SdkV1Async.answer(request, handler, () -> SdkV1Async.now(() -> batchGetItem(request)));
  }

  @Override
  public Future<DescribeTableResult> describeTableAsync(DescribeTableRequest request,
      AsyncHandler<DescribeTableRequest, DescribeTableResult> handler) {
    return SdkV1Async.answer(request, handler, () -> SdkV1Async.now(() -> describeTable(request)));
  }

  @Override
  public Future<CreateTableResult> createTableAsync(CreateTableRequest request,
      AsyncHandler<CreateTableRequest, CreateTableResult> handler) {
    return SdkV1Async.answer(request, handler, () -> SdkV1Async.now(() -> createTable(request)));
  }

  @Override
  public Future<DeleteTableResult> deleteTableAsync(DeleteTableRequest request,
      AsyncHandler<DeleteTableRequest, DeleteTableResult> handler) {
    return SdkV1Async.answer(request, handler, () -> SdkV1Async.now(() -> deleteTable(request)));
  }

  @Override
  public Future<ListTablesResult> listTablesAsync(ListTablesRequest request,
      AsyncHandler<ListTablesRequest, ListTablesResult> handler) {
    return SdkV1Async.answer(request, handler, () -> SdkV1Async.now(() -> listTables(request)));
  }

  @Override
  public Future<UpdateTimeToLiveResult> updateTimeToLiveAsync(UpdateTimeToLiveRequest request,
      AsyncHandler<UpdateTimeToLiveRequest, UpdateTimeToLiveResult> handler) {
    return SdkV1Async.answer(request, handler, () -> SdkV1Async.now(() -> updateTimeToLive(request)));
  }

  @Override
  public Future<DescribeTimeToLiveResult> describeTimeToLiveAsync(DescribeTimeToLiveRequest request,
      AsyncHandler<DescribeTimeToLiveRequest, DescribeTimeToLiveResult> handler) {
    return SdkV1Async.answer(request, handler, () -> SdkV1Async.now(() -> describeTimeToLive(request)));
  }

  @Override
  public Future<UpdateTableResult> updateTableAsync(UpdateTableRequest request,
      AsyncHandler<UpdateTableRequest, UpdateTableResult> handler) {
    return SdkV1Async.answer(request, handler, () -> SdkV1Async.now(() -> updateTable(request)));
  }

  /** The store outlives its clients: the owner of the store closes it. */
  @Override
  public void shutdown() {}
}
