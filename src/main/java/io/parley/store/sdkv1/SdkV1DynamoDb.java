package io.parley.store.sdkv1;

import static io.parley.store.sdkv1.SdkV1Values.sdkItem;
import static io.parley.store.sdkv1.SdkV1Values.sdkItems;

import com.amazonaws.services.dynamodbv2.AbstractAmazonDynamoDB;
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
import com.amazonaws.services.dynamodbv2.model.ConsumedCapacity;
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
import java.util.function.Supplier;

/**
 * The store behind the AWS SDK v1 {@code AmazonDynamoDB} interface, in-process: requests are
 * converted to the store's model and run on the calling thread (writes wait for the group
 * commit), answers and refusals come back as the SDK's HTTP client would give them. Operations
 * the store does not implement throw {@link UnsupportedOperationException}, as the SDK's
 * abstract class does.
 */
public final class SdkV1DynamoDb extends AbstractAmazonDynamoDB {
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
  public DescribeTableResult describeTable(String tableName) {
    return describeTable(new DescribeTableRequest(tableName));
  }

  @Override
  public DeleteTableResult deleteTable(DeleteTableRequest request) {
    return call(() -> new DeleteTableResult().withTableDescription(
        SdkV1Tables.description(engine.deleteTable(request.getTableName())).withTableStatus("DELETING")));
  }

  @Override
  public DeleteTableResult deleteTable(String tableName) {
    return deleteTable(new DeleteTableRequest(tableName));
  }

  @Override
  public ListTablesResult listTables(ListTablesRequest request) {
    return call(() -> {
      List<String> names = engine.listTables();
      int limit = request.getLimit() == null ? 100 : request.getLimit();
      if (limit < 1 || limit > 100) {
        throw StoreException.validation("1 validation error detected: Value '" + limit
            + "' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100");
      }
      String start = request.getExclusiveStartTableName();
      List<String> page = names.stream().filter(name -> start == null || name.compareTo(start) > 0).limit(limit).toList();
      ListTablesResult result = new ListTablesResult().withTableNames(page);
      if (page.size() == limit && !page.isEmpty() && names.indexOf(page.get(page.size() - 1)) < names.size() - 1) {
        result.setLastEvaluatedTableName(page.get(page.size() - 1));
      }
      return result;
    });
  }

  @Override
  public ListTablesResult listTables() {
    return listTables(new ListTablesRequest());
  }

  @Override
  public ListTablesResult listTables(String exclusiveStartTableName) {
    return listTables(new ListTablesRequest().withExclusiveStartTableName(exclusiveStartTableName));
  }

  @Override
  public ListTablesResult listTables(Integer limit) {
    return listTables(new ListTablesRequest().withLimit(limit));
  }

  @Override
  public ListTablesResult listTables(String exclusiveStartTableName, Integer limit) {
    return listTables(new ListTablesRequest().withExclusiveStartTableName(exclusiveStartTableName).withLimit(limit));
  }

  @Override
  public UpdateTableResult updateTable(UpdateTableRequest request) {
    throw SdkV1Errors.of(StoreException.unsupported("UpdateTable"));
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
          .withConsumedCapacity(capacity(wanted, put.table(), Capacity.write(put.item())));
    });
  }

  @Override
  public PutItemResult putItem(String tableName, Map<String, AttributeValue> item) {
    return putItem(new PutItemRequest(tableName, item));
  }

  @Override
  public PutItemResult putItem(String tableName, Map<String, AttributeValue> item, String returnValues) {
    return putItem(new PutItemRequest(tableName, item, returnValues));
  }

  @Override
  public GetItemResult getItem(GetItemRequest request) {
    return call(() -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.GetItem get = SdkV1Requests.getItem(request);
      Map<String, io.parley.store.model.AttributeValue> item = engine.getItem(get);
      return new GetItemResult().withItem(sdkItem(item))
          .withConsumedCapacity(capacity(wanted, get.table(), Capacity.read(item, get.consistentRead())));
    });
  }

  @Override
  public GetItemResult getItem(String tableName, Map<String, AttributeValue> key) {
    return getItem(new GetItemRequest(tableName, key));
  }

  @Override
  public GetItemResult getItem(String tableName, Map<String, AttributeValue> key, Boolean consistentRead) {
    return getItem(new GetItemRequest(tableName, key, consistentRead));
  }

  @Override
  public DeleteItemResult deleteItem(DeleteItemRequest request) {
    return call(() -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.DeleteItem delete = SdkV1Requests.deleteItem(request);
      Map<String, io.parley.store.model.AttributeValue> old = engine.deleteItem(delete);
      return new DeleteItemResult().withAttributes(sdkItem(old))
          .withConsumedCapacity(capacity(wanted, delete.table(), Capacity.write(old)));
    });
  }

  @Override
  public DeleteItemResult deleteItem(String tableName, Map<String, AttributeValue> key) {
    return deleteItem(new DeleteItemRequest(tableName, key));
  }

  @Override
  public DeleteItemResult deleteItem(String tableName, Map<String, AttributeValue> key, String returnValues) {
    return deleteItem(new DeleteItemRequest(tableName, key, returnValues));
  }

  @Override
  public UpdateItemResult updateItem(UpdateItemRequest request) {
    return call(() -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.UpdateItem update = SdkV1Requests.updateItem(request);
      Map<String, io.parley.store.model.AttributeValue> returned = engine.updateItem(update);
      return new UpdateItemResult().withAttributes(sdkItem(returned))
          .withConsumedCapacity(capacity(wanted, update.table(), Capacity.write(returned)));
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
          .withConsumedCapacity(capacity(wanted, query.table(), Capacity.page(page.items(), query.consistentRead())));
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
          .withConsumedCapacity(capacity(wanted, scan.table(), Capacity.page(page.items(), scan.consistentRead())));
    });
  }

  @Override
  public ScanResult scan(String tableName, List<String> attributesToGet) {
    return scan(new ScanRequest(tableName).withAttributesToGet(attributesToGet));
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
          .withConsumedCapacity(capacities(wanted, BatchCapacity.read(batch, result)));
    });
  }

  @Override
  public BatchGetItemResult batchGetItem(Map<String, KeysAndAttributes> requestItems) {
    return batchGetItem(new BatchGetItemRequest(requestItems));
  }

  @Override
  public BatchGetItemResult batchGetItem(Map<String, KeysAndAttributes> requestItems, String returnConsumedCapacity) {
    return batchGetItem(new BatchGetItemRequest(requestItems, returnConsumedCapacity));
  }

  @Override
  public BatchWriteItemResult batchWriteItem(BatchWriteItemRequest request) {
    return call(() -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.BatchWriteItem batch = SdkV1Requests.batchWriteItem(request);
      engine.batchWriteItem(batch);
      return new BatchWriteItemResult().withUnprocessedItems(new LinkedHashMap<String, List<WriteRequest>>())
          .withConsumedCapacity(capacities(wanted, BatchCapacity.write(batch)));
    });
  }

  @Override
  public BatchWriteItemResult batchWriteItem(Map<String, List<WriteRequest>> requestItems) {
    return batchWriteItem(new BatchWriteItemRequest(requestItems));
  }

  @Override
  public TransactWriteItemsResult transactWriteItems(TransactWriteItemsRequest request) {
    return call(() -> {
      Capacity.Wanted wanted = Capacity.Wanted.parse(request.getReturnConsumedCapacity());
      Requests.TransactWriteItems transaction = SdkV1Requests.transactWriteItems(request);
      engine.transactWriteItems(transaction);
      return new TransactWriteItemsResult().withConsumedCapacity(capacities(wanted, BatchCapacity.transact(transaction)));
    });
  }

  private static ConsumedCapacity capacity(Capacity.Wanted wanted, String table, double units) {
    return wanted == Capacity.Wanted.NONE ? null : new ConsumedCapacity().withTableName(table).withCapacityUnits(units);
  }

  private static List<ConsumedCapacity> capacities(Capacity.Wanted wanted, Map<String, Double> byTable) {
    if (wanted == Capacity.Wanted.NONE) {
      return null;
    }
    List<ConsumedCapacity> capacities = new ArrayList<>();
    byTable.forEach((table, units) -> capacities.add(capacity(wanted, table, units)));
    return capacities;
  }

  /** The store outlives its clients: the owner of the store closes it. */
  @Override
  public void shutdown() {}
}
