package io.parley.store.sdkv1;

import com.amazonaws.services.dynamodbv2.AbstractAmazonDynamoDBAsync;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemResult;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemResult;
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
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.amazonaws.services.dynamodbv2.model.ScanResult;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.List;
import java.util.Map;

/**
 * The SDK v1 interface's short forms (a table name and an item or key in place of a request),
 * each as the request it stands for, as the SDK's own client does; the requests themselves are
 * {@link SdkV1DynamoDb}'s.
 */
abstract class SdkV1ShortForms extends AbstractAmazonDynamoDBAsync {
  @Override
  public DescribeTableResult describeTable(String tableName) {
    return describeTable(new DescribeTableRequest(tableName));
  }

  @Override
  public DeleteTableResult deleteTable(String tableName) {
    return deleteTable(new DeleteTableRequest(tableName));
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
  public PutItemResult putItem(String tableName, Map<String, AttributeValue> item) {
    return putItem(new PutItemRequest(tableName, item));
  }

  @Override
  public PutItemResult putItem(String tableName, Map<String, AttributeValue> item, String returnValues) {
    return putItem(new PutItemRequest(tableName, item, returnValues));
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
  public DeleteItemResult deleteItem(String tableName, Map<String, AttributeValue> key) {
    return deleteItem(new DeleteItemRequest(tableName, key));
  }

  @Override
  public DeleteItemResult deleteItem(String tableName, Map<String, AttributeValue> key, String returnValues) {
    return deleteItem(new DeleteItemRequest(tableName, key, returnValues));
  }

  @Override
  public ScanResult scan(String tableName, List<String> attributesToGet) {
    return scan(new ScanRequest(tableName).withAttributesToGet(attributesToGet));
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
  public BatchWriteItemResult batchWriteItem(Map<String, List<WriteRequest>> requestItems) {
    return batchWriteItem(new BatchWriteItemRequest(requestItems));
  }
}
