package io.parley.store.sdkv1;

import static io.parley.store.sdkv1.SdkV1Values.item;

import com.amazonaws.services.dynamodbv2.model.BatchGetItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.DeleteItemRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItem;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsRequest;
import com.amazonaws.services.dynamodbv2.model.UpdateItemRequest;
import io.parley.store.model.AttributeValue;
import io.parley.store.model.Requests;
import io.parley.store.model.Requests.Placeholders;
import io.parley.store.model.StoreException;
import io.parley.store.model.TableSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AWS SDK v1 requests as the store's requests. Parameters the store does not implement (the
 * legacy Expected, AttributeUpdates, KeyConditions, QueryFilter, ScanFilter, ConditionalOperator;
 * ReturnItemCollectionMetrics SIZE) are refused with a ValidationException rather than ignored.
 */
final class SdkV1Requests {
  private SdkV1Requests() {}

  static TableSchema createTable(CreateTableRequest request) {
    refuse(request.getStreamSpecification() != null && Boolean.TRUE.equals(request.getStreamSpecification().getStreamEnabled()),
        "StreamSpecification");
    refuse(request.getSSESpecification() != null && Boolean.TRUE.equals(request.getSSESpecification().getEnabled()),
        "SSESpecification");
    refuse(Boolean.TRUE.equals(request.getDeletionProtectionEnabled()), "DeletionProtectionEnabled");
    TableSchema.checkBilling(request.getBillingMode(), request.getProvisionedThroughput() != null
        || request.getGlobalSecondaryIndexes() != null
        && request.getGlobalSecondaryIndexes().stream().anyMatch(index -> index.getProvisionedThroughput() != null));
    List<TableSchema.SecondaryIndex> locals = new ArrayList<>();
    if (request.getLocalSecondaryIndexes() != null) {
      request.getLocalSecondaryIndexes().forEach(index -> locals.add(new TableSchema.SecondaryIndex(index.getIndexName(),
          keys(index.getKeySchema()), index.getProjection() == null ? null : index.getProjection().getProjectionType(),
          index.getProjection() == null ? null : index.getProjection().getNonKeyAttributes())));
    }
    List<TableSchema.SecondaryIndex> globals = new ArrayList<>();
    if (request.getGlobalSecondaryIndexes() != null) {
      request.getGlobalSecondaryIndexes().forEach(index -> globals.add(new TableSchema.SecondaryIndex(index.getIndexName(),
          keys(index.getKeySchema()), index.getProjection() == null ? null : index.getProjection().getProjectionType(),
          index.getProjection() == null ? null : index.getProjection().getNonKeyAttributes())));
    }
    List<TableSchema.AttributeDefinition> definitions = new ArrayList<>();
    if (request.getAttributeDefinitions() != null) {
      request.getAttributeDefinitions().forEach(definition -> definitions.add(
          new TableSchema.AttributeDefinition(definition.getAttributeName(), definition.getAttributeType())));
    }
    return new TableSchema(request.getTableName(), keys(request.getKeySchema()), definitions, locals, globals);
  }

  /**
   * UpdateTable's global index creations and deletions. Throughput and billing changes mean
   * nothing to this store and are accepted; everything else UpdateTable can change is refused.
   */
  static TableSchema.IndexChanges indexChanges(com.amazonaws.services.dynamodbv2.model.UpdateTableRequest request) {
    refuse(request.getStreamSpecification() != null, "UpdateTable StreamSpecification");
    refuse(request.getSSESpecification() != null, "UpdateTable SSESpecification");
    refuse(request.getReplicaUpdates() != null, "UpdateTable ReplicaUpdates");
    refuse(request.getTableClass() != null, "UpdateTable TableClass");
    refuse(Boolean.TRUE.equals(request.getDeletionProtectionEnabled()), "DeletionProtectionEnabled");
    List<TableSchema.SecondaryIndex> created = new ArrayList<>();
    List<String> deleted = new ArrayList<>();
    if (request.getGlobalSecondaryIndexUpdates() != null) {
      for (var update : request.getGlobalSecondaryIndexUpdates()) {
        if (update.getCreate() != null) {
          var index = update.getCreate();
          created.add(new TableSchema.SecondaryIndex(index.getIndexName(), keys(index.getKeySchema()),
              index.getProjection() == null ? null : index.getProjection().getProjectionType(),
              index.getProjection() == null ? null : index.getProjection().getNonKeyAttributes()));
        }
        if (update.getDelete() != null) {
          deleted.add(update.getDelete().getIndexName());
        }
      }
    }
    List<TableSchema.AttributeDefinition> definitions = new ArrayList<>();
    if (request.getAttributeDefinitions() != null) {
      request.getAttributeDefinitions().forEach(definition -> definitions.add(
          new TableSchema.AttributeDefinition(definition.getAttributeName(), definition.getAttributeType())));
    }
    return new TableSchema.IndexChanges(definitions, created, deleted);
  }

  private static List<TableSchema.KeyElement> keys(List<com.amazonaws.services.dynamodbv2.model.KeySchemaElement> elements) {
    List<TableSchema.KeyElement> keys = new ArrayList<>();
    if (elements != null) {
      elements.forEach(element -> keys.add(new TableSchema.KeyElement(element.getAttributeName(), element.getKeyType())));
    }
    return keys;
  }

  static Requests.PutItem putItem(PutItemRequest request) {
    refuse(request.getExpected() != null, "Expected");
    refuse(request.getConditionalOperator() != null, "ConditionalOperator");
    refuseMetrics(request.getReturnItemCollectionMetrics());
    return new Requests.PutItem(request.getTableName(), item(request.getItem()), request.getConditionExpression(),
        placeholders(request.getExpressionAttributeNames(), request.getExpressionAttributeValues()),
        Requests.ReturnValues.parse(request.getReturnValues()),
        Requests.oldOnConditionFailure(request.getReturnValuesOnConditionCheckFailure()));
  }

  static Requests.GetItem getItem(GetItemRequest request) {
    return new Requests.GetItem(request.getTableName(), item(request.getKey()), Boolean.TRUE.equals(request.getConsistentRead()),
        request.getProjectionExpression(), request.getAttributesToGet(),
        placeholders(request.getExpressionAttributeNames(), null));
  }

  static Requests.DeleteItem deleteItem(DeleteItemRequest request) {
    refuse(request.getExpected() != null, "Expected");
    refuse(request.getConditionalOperator() != null, "ConditionalOperator");
    refuseMetrics(request.getReturnItemCollectionMetrics());
    return new Requests.DeleteItem(request.getTableName(), item(request.getKey()), request.getConditionExpression(),
        placeholders(request.getExpressionAttributeNames(), request.getExpressionAttributeValues()),
        Requests.ReturnValues.parse(request.getReturnValues()),
        Requests.oldOnConditionFailure(request.getReturnValuesOnConditionCheckFailure()));
  }

  static Requests.UpdateItem updateItem(UpdateItemRequest request) {
    refuse(request.getExpected() != null, "Expected");
    refuse(request.getAttributeUpdates() != null, "AttributeUpdates");
    refuse(request.getConditionalOperator() != null, "ConditionalOperator");
    refuseMetrics(request.getReturnItemCollectionMetrics());
    return new Requests.UpdateItem(request.getTableName(), item(request.getKey()), request.getUpdateExpression(),
        request.getConditionExpression(),
        placeholders(request.getExpressionAttributeNames(), request.getExpressionAttributeValues()),
        Requests.ReturnValues.parse(request.getReturnValues()),
        Requests.oldOnConditionFailure(request.getReturnValuesOnConditionCheckFailure()));
  }

  static Requests.Query query(QueryRequest request) {
    refuse(request.getKeyConditions() != null, "KeyConditions");
    refuse(request.getQueryFilter() != null, "QueryFilter");
    refuse(request.getConditionalOperator() != null, "ConditionalOperator");
    return new Requests.Query(request.getTableName(), request.getIndexName(), request.getKeyConditionExpression(),
        request.getFilterExpression(), request.getProjectionExpression(), request.getAttributesToGet(),
        placeholders(request.getExpressionAttributeNames(), request.getExpressionAttributeValues()),
        Requests.Select.parse(request.getSelect()), request.getLimit(), item(request.getExclusiveStartKey()),
        request.getScanIndexForward() == null || request.getScanIndexForward(),
        Boolean.TRUE.equals(request.getConsistentRead()));
  }

  static Requests.Scan scan(ScanRequest request) {
    refuse(request.getScanFilter() != null, "ScanFilter");
    refuse(request.getConditionalOperator() != null, "ConditionalOperator");
    return new Requests.Scan(request.getTableName(), request.getIndexName(), request.getFilterExpression(),
        request.getProjectionExpression(), request.getAttributesToGet(),
        placeholders(request.getExpressionAttributeNames(), request.getExpressionAttributeValues()),
        Requests.Select.parse(request.getSelect()), request.getLimit(), item(request.getExclusiveStartKey()),
        Boolean.TRUE.equals(request.getConsistentRead()), request.getSegment(), request.getTotalSegments());
  }

  static Requests.BatchGetItem batchGetItem(BatchGetItemRequest request) {
    Map<String, Requests.KeysAndAttributes> byTable = new LinkedHashMap<>();
    if (request.getRequestItems() != null) {
      request.getRequestItems().forEach((table, keys) -> {
        List<Map<String, AttributeValue>> converted = new ArrayList<>();
        if (keys.getKeys() != null) {
          keys.getKeys().forEach(key -> converted.add(item(key)));
        }
        byTable.put(table, new Requests.KeysAndAttributes(converted, Boolean.TRUE.equals(keys.getConsistentRead()),
            keys.getProjectionExpression(), keys.getAttributesToGet(),
            placeholders(keys.getExpressionAttributeNames(), null)));
      });
    }
    return new Requests.BatchGetItem(byTable);
  }

  static Requests.BatchWriteItem batchWriteItem(BatchWriteItemRequest request) {
    refuseMetrics(request.getReturnItemCollectionMetrics());
    Map<String, List<Requests.WriteRequest>> byTable = new LinkedHashMap<>();
    if (request.getRequestItems() != null) {
      request.getRequestItems().forEach((table, writes) -> {
        List<Requests.WriteRequest> converted = new ArrayList<>();
        if (writes != null) {
          for (var write : writes) {
            if (write.getPutRequest() != null && write.getDeleteRequest() == null) {
              converted.add(Requests.WriteRequest.put(item(write.getPutRequest().getItem())));
            } else if (write.getDeleteRequest() != null && write.getPutRequest() == null) {
              converted.add(Requests.WriteRequest.delete(item(write.getDeleteRequest().getKey())));
            } else {
              throw StoreException.validation("Supplied WriteRequest must contain exactly one of PutRequest and DeleteRequest");
            }
          }
        }
        byTable.put(table, converted);
      });
    }
    return new Requests.BatchWriteItem(byTable);
  }

  static Requests.TransactWriteItems transactWriteItems(TransactWriteItemsRequest request) {
    refuseMetrics(request.getReturnItemCollectionMetrics());
    if (request.getTransactItems() == null) {
      return new Requests.TransactWriteItems(null, request.getClientRequestToken());
    }
    List<Requests.TransactAction> actions = new ArrayList<>();
    for (TransactWriteItem item : request.getTransactItems()) {
      actions.add(action(item));
    }
    return new Requests.TransactWriteItems(actions, request.getClientRequestToken());
  }

  private static Requests.TransactAction action(TransactWriteItem item) {
    int kinds = (item.getPut() != null ? 1 : 0) + (item.getUpdate() != null ? 1 : 0)
        + (item.getDelete() != null ? 1 : 0) + (item.getConditionCheck() != null ? 1 : 0);
    if (kinds != 1) {
      throw StoreException.validation("TransactItems can only contain one of Check, Put, Update or Delete");
    }
    if (item.getPut() != null) {
      var put = item.getPut();
        return new Requests.TransactPut(put.getTableName(), item(put.getItem()), put.getConditionExpression(),
          placeholders(put.getExpressionAttributeNames(), put.getExpressionAttributeValues()),
          Requests.oldOnConditionFailure(put.getReturnValuesOnConditionCheckFailure()));
    }
    if (item.getUpdate() != null) {
      var update = item.getUpdate();
        return new Requests.TransactUpdate(update.getTableName(), item(update.getKey()), update.getUpdateExpression(),
          update.getConditionExpression(),
          placeholders(update.getExpressionAttributeNames(), update.getExpressionAttributeValues()),
          Requests.oldOnConditionFailure(update.getReturnValuesOnConditionCheckFailure()));
    }
    if (item.getDelete() != null) {
      var delete = item.getDelete();
        return new Requests.TransactDelete(delete.getTableName(), item(delete.getKey()), delete.getConditionExpression(),
          placeholders(delete.getExpressionAttributeNames(), delete.getExpressionAttributeValues()),
          Requests.oldOnConditionFailure(delete.getReturnValuesOnConditionCheckFailure()));
    }
    var check = item.getConditionCheck();
    return new Requests.ConditionCheck(check.getTableName(), item(check.getKey()), check.getConditionExpression(),
        placeholders(check.getExpressionAttributeNames(), check.getExpressionAttributeValues()),
        Requests.oldOnConditionFailure(check.getReturnValuesOnConditionCheckFailure()));
  }

  private static Placeholders placeholders(Map<String, String> names,
      Map<String, com.amazonaws.services.dynamodbv2.model.AttributeValue> values) {
    return names == null && values == null ? Placeholders.NONE : new Placeholders(names, item(values));
  }



  private static void refuseMetrics(String metrics) {
    refuse(metrics != null && !metrics.equals("NONE"), "ReturnItemCollectionMetrics " + metrics);
  }


  private static void refuse(boolean given, String what) {
    if (given) {
      throw StoreException.unsupported(what);
    }
  }
}
