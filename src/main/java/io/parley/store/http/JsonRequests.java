package io.parley.store.http;

import static io.parley.store.http.JsonValues.item;
import static io.parley.store.http.JsonValues.wrongType;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.store.model.AttributeValue;
import io.parley.store.model.Requests;
import io.parley.store.model.Requests.Placeholders;
import io.parley.store.model.StoreException;
import io.parley.store.model.TableSchema;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DynamoDB JSON requests as the store's requests. Parameters the store does not implement are
 * refused with a ValidationException, never ignored.
 */
final class JsonRequests {
  private JsonRequests() {}

  private static final Set<String> LEGACY = Set.of("Expected", "AttributeUpdates", "KeyConditions", "QueryFilter",
      "ScanFilter", "ConditionalOperator");

  static void refuseUnsupported(JsonNode body) {
    for (String legacy : LEGACY) {
      if (body.has(legacy) && !body.get(legacy).isNull()) {
        throw StoreException.unsupported(legacy);
      }
    }
    String metrics = text(body, "ReturnItemCollectionMetrics");
    if (metrics != null && !metrics.equals("NONE")) {
      throw StoreException.unsupported("ReturnItemCollectionMetrics " + metrics);
    }
  }

  private static boolean oldOnFailure(JsonNode node) {
    return Requests.oldOnConditionFailure(text(node, "ReturnValuesOnConditionCheckFailure"));
  }

  /*
   * Members are read strictly by their JSON type: read leniently, "yes" would be a false flag and 1.5
   * a Limit of 1, a silently different answer. DynamoDB refuses them as the protocol's
   * SerializationException.
   */

  static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw wrongType(field, "a string", value);
    }
    return value.textValue();
  }

  static boolean flag(JsonNode node, String field, boolean otherwise) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return otherwise;
    }
    if (!value.isBoolean()) {
      throw wrongType(field, "true or false", value);
    }
    return value.booleanValue();
  }

  static Integer integer(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw wrongType(field, "an integer", value);
    }
    return value.intValue();
  }

  private static List<String> texts(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isArray()) {
      throw wrongType(field, "a list of strings", value);
    }
    List<String> texts = new ArrayList<>();
    value.forEach(element -> {
      if (!element.isTextual()) {
        throw wrongType(field, "a list of strings", value);
      }
      texts.add(element.textValue());
    });
    return texts;
  }

  private static Placeholders placeholders(JsonNode node) {
    JsonNode names = node.get("ExpressionAttributeNames");
    JsonNode values = node.get("ExpressionAttributeValues");
    if ((names == null || names.isNull()) && (values == null || values.isNull())) {
      return Placeholders.NONE;
    }
    Map<String, String> nameMap = null;
    if (names != null && !names.isNull()) {
      nameMap = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> fields = names.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!field.getValue().isTextual()) {
          throw wrongType("ExpressionAttributeNames", "a map of strings", field.getValue());
        }
        nameMap.put(field.getKey(), field.getValue().textValue());
      }
    }
    return new Placeholders(nameMap, item(values));
  }

  static TableSchema createTable(JsonNode body) {
    if (flag(body.path("StreamSpecification"), "StreamEnabled", false)) {
      throw StoreException.unsupported("StreamSpecification");
    }
    if (flag(body.path("SSESpecification"), "Enabled", false)) {
      throw StoreException.unsupported("SSESpecification");
    }
    if (flag(body, "DeletionProtectionEnabled", false)) {
      throw StoreException.unsupported("DeletionProtectionEnabled");
    }
    boolean indexThroughput = false;
    for (JsonNode index : body.path("GlobalSecondaryIndexes")) {
      indexThroughput |= index.hasNonNull("ProvisionedThroughput");
    }
    TableSchema.checkBilling(text(body, "BillingMode"), body.hasNonNull("ProvisionedThroughput") || indexThroughput);
    List<TableSchema.AttributeDefinition> definitions = new ArrayList<>();
    body.path("AttributeDefinitions").forEach(definition -> definitions.add(new TableSchema.AttributeDefinition(
        text(definition, "AttributeName"), text(definition, "AttributeType"))));
    return new TableSchema(text(body, "TableName"), keys(body.path("KeySchema")), definitions,
        indexes(body.path("LocalSecondaryIndexes")), indexes(body.path("GlobalSecondaryIndexes")));
  }

  /** UpdateTable's global index creations and deletions; see {@code SdkV1Requests.indexChanges}. */
  static TableSchema.IndexChanges indexChanges(JsonNode body) {
    for (String unsupported : List.of("StreamSpecification", "SSESpecification", "ReplicaUpdates", "TableClass")) {
      if (body.has(unsupported) && !body.get(unsupported).isNull()) {
        throw StoreException.unsupported("UpdateTable " + unsupported);
      }
    }
    if (flag(body, "DeletionProtectionEnabled", false)) {
      throw StoreException.unsupported("DeletionProtectionEnabled");
    }
    List<TableSchema.SecondaryIndex> created = new ArrayList<>();
    List<String> deleted = new ArrayList<>();
    for (JsonNode update : body.path("GlobalSecondaryIndexUpdates")) {
      if (update.has("Create")) {
        created.addAll(indexes(arrayOf(update.get("Create"))));
      }
      if (update.has("Delete")) {
        deleted.add(text(update.get("Delete"), "IndexName"));
      }
    }
    List<TableSchema.AttributeDefinition> definitions = new ArrayList<>();
    body.path("AttributeDefinitions").forEach(definition -> definitions.add(new TableSchema.AttributeDefinition(
        text(definition, "AttributeName"), text(definition, "AttributeType"))));
    return new TableSchema.IndexChanges(definitions, created, deleted);
  }

  private static JsonNode arrayOf(JsonNode one) {
    return JsonValues.NODES.arrayNode().add(one);
  }

  private static List<TableSchema.KeyElement> keys(JsonNode node) {
    List<TableSchema.KeyElement> keys = new ArrayList<>();
    node.forEach(element -> keys.add(new TableSchema.KeyElement(text(element, "AttributeName"), text(element, "KeyType"))));
    return keys;
  }

  private static List<TableSchema.SecondaryIndex> indexes(JsonNode node) {
    List<TableSchema.SecondaryIndex> indexes = new ArrayList<>();
    node.forEach(index -> indexes.add(new TableSchema.SecondaryIndex(text(index, "IndexName"), keys(index.path("KeySchema")),
        text(index.path("Projection"), "ProjectionType"), texts(index.path("Projection"), "NonKeyAttributes"))));
    return indexes;
  }

  static Requests.PutItem putItem(JsonNode body) {
    return new Requests.PutItem(text(body, "TableName"), item(body.get("Item")), text(body, "ConditionExpression"),
        placeholders(body), Requests.ReturnValues.parse(text(body, "ReturnValues")),
        oldOnFailure(body));
  }

  static Requests.GetItem getItem(JsonNode body) {
    return new Requests.GetItem(text(body, "TableName"), item(body.get("Key")), flag(body, "ConsistentRead", false),
        text(body, "ProjectionExpression"), texts(body, "AttributesToGet"), placeholders(body));
  }

  static Requests.DeleteItem deleteItem(JsonNode body) {
    return new Requests.DeleteItem(text(body, "TableName"), item(body.get("Key")), text(body, "ConditionExpression"),
        placeholders(body), Requests.ReturnValues.parse(text(body, "ReturnValues")),
        oldOnFailure(body));
  }

  static Requests.UpdateItem updateItem(JsonNode body) {
    return new Requests.UpdateItem(text(body, "TableName"), item(body.get("Key")), text(body, "UpdateExpression"),
        text(body, "ConditionExpression"), placeholders(body), Requests.ReturnValues.parse(text(body, "ReturnValues")),
        oldOnFailure(body));
  }

  static Requests.Query query(JsonNode body) {
    return new Requests.Query(text(body, "TableName"), text(body, "IndexName"), text(body, "KeyConditionExpression"),
        text(body, "FilterExpression"), text(body, "ProjectionExpression"), texts(body, "AttributesToGet"),
        placeholders(body), Requests.Select.parse(text(body, "Select")), integer(body, "Limit"), item(body.get("ExclusiveStartKey")),
        flag(body, "ScanIndexForward", true), flag(body, "ConsistentRead", false));
  }

  static Requests.Scan scan(JsonNode body) {
    return new Requests.Scan(text(body, "TableName"), text(body, "IndexName"), text(body, "FilterExpression"),
        text(body, "ProjectionExpression"), texts(body, "AttributesToGet"), placeholders(body),
        Requests.Select.parse(text(body, "Select")), integer(body, "Limit"), item(body.get("ExclusiveStartKey")),
        flag(body, "ConsistentRead", false), integer(body, "Segment"), integer(body, "TotalSegments"));
  }

  static Requests.BatchGetItem batchGetItem(JsonNode body) {
    Map<String, Requests.KeysAndAttributes> byTable = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> tables = body.path("RequestItems").fields(); tables.hasNext(); ) {
      Map.Entry<String, JsonNode> table = tables.next();
      JsonNode wanted = table.getValue();
      List<Map<String, AttributeValue>> keys = new ArrayList<>();
      wanted.path("Keys").forEach(key -> keys.add(item(key)));
      byTable.put(table.getKey(), new Requests.KeysAndAttributes(keys, flag(wanted, "ConsistentRead", false),
          text(wanted, "ProjectionExpression"), texts(wanted, "AttributesToGet"), placeholders(wanted)));
    }
    return new Requests.BatchGetItem(byTable);
  }

  static Requests.BatchWriteItem batchWriteItem(JsonNode body) {
    Map<String, List<Requests.WriteRequest>> byTable = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> tables = body.path("RequestItems").fields(); tables.hasNext(); ) {
      Map.Entry<String, JsonNode> table = tables.next();
      List<Requests.WriteRequest> writes = new ArrayList<>();
      for (JsonNode write : table.getValue()) {
        boolean put = write.has("PutRequest");
        if (put == write.has("DeleteRequest")) {
          throw StoreException.validation("Supplied WriteRequest must contain exactly one of PutRequest and DeleteRequest");
        }
        writes.add(put ? Requests.WriteRequest.put(item(write.path("PutRequest").get("Item")))
            : Requests.WriteRequest.delete(item(write.path("DeleteRequest").get("Key"))));
      }
      byTable.put(table.getKey(), writes);
    }
    return new Requests.BatchWriteItem(byTable);
  }

  static Requests.TransactWriteItems transactWriteItems(JsonNode body) {
    JsonNode items = body.get("TransactItems");
    if (items == null || items.isNull()) {
      return new Requests.TransactWriteItems(null, text(body, "ClientRequestToken"));
    }
    if (!items.isArray()) {
      throw wrongType("TransactItems", "a list", items);
    }
    List<Requests.TransactAction> actions = new ArrayList<>();
    for (JsonNode action : items) {
      if (action.size() != 1) {
        throw StoreException.validation("TransactItems can only contain one of Check, Put, Update or Delete");
      }
      String kind = action.fieldNames().next();
      JsonNode it = action.get(kind);
      actions.add(switch (kind) {
        case "Put" -> new Requests.TransactPut(text(it, "TableName"), item(it.get("Item")), text(it, "ConditionExpression"),
            placeholders(it), oldOnFailure(it));
        case "Update" -> new Requests.TransactUpdate(text(it, "TableName"), item(it.get("Key")), text(it, "UpdateExpression"),
            text(it, "ConditionExpression"), placeholders(it), oldOnFailure(it));
        case "Delete" -> new Requests.TransactDelete(text(it, "TableName"), item(it.get("Key")), text(it, "ConditionExpression"),
            placeholders(it), oldOnFailure(it));
        case "ConditionCheck" -> new Requests.ConditionCheck(text(it, "TableName"), item(it.get("Key")),
            text(it, "ConditionExpression"), placeholders(it), oldOnFailure(it));
        default -> throw StoreException.validation("TransactItems can only contain one of Check, Put, Update or Delete");
      });
    }
    return new Requests.TransactWriteItems(actions, text(body, "ClientRequestToken"));
  }


}
