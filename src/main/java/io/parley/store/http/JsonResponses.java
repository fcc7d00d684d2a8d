package io.parley.store.http;

import static io.parley.store.http.JsonValues.NODES;
import static io.parley.store.http.JsonValues.json;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.store.model.AttributeValue;
import io.parley.store.model.Responses;
import io.parley.store.model.TableInfo;
import io.parley.store.model.TableSchema;
import java.util.List;
import java.util.Map;

/** The store's answers in DynamoDB's JSON protocol. */
final class JsonResponses {
  private JsonResponses() {}

  static ObjectNode attributes(Map<String, AttributeValue> attributes) {
    ObjectNode node = NODES.objectNode();
    if (attributes != null) {
      node.set("Attributes", json(attributes));
    }
    return node;
  }

  static ObjectNode item(Map<String, AttributeValue> item) {
    ObjectNode node = NODES.objectNode();
    if (item != null) {
      node.set("Item", json(item));
    }
    return node;
  }

  static ObjectNode page(Responses.Page page) {
    ObjectNode node = NODES.objectNode();
    if (page.items() != null) {
      node.set("Items", items(page.items()));
    }
    node.put("Count", page.count());
    node.put("ScannedCount", page.scannedCount());
    if (page.lastEvaluatedKey() != null) {
      node.set("LastEvaluatedKey", json(page.lastEvaluatedKey()));
    }
    return node;
  }

  private static ArrayNode items(List<Map<String, AttributeValue>> items) {
    ArrayNode array = NODES.arrayNode();
    items.forEach(item -> array.add(json(item)));
    return array;
  }

  static ObjectNode batchGet(Responses.BatchGetResult result, com.fasterxml.jackson.databind.JsonNode request) {
    ObjectNode node = NODES.objectNode();
    ObjectNode responses = node.putObject("Responses");
    result.responses().forEach((table, items) -> responses.set(table, items(items)));
    ObjectNode unprocessed = node.putObject("UnprocessedKeys");
    result.unprocessedKeys().forEach((table, keys) -> {
      ObjectNode wanted = ((ObjectNode) request.path("RequestItems").path(table)).deepCopy();
      wanted.set("Keys", items(keys.keys()));
      unprocessed.set(table, wanted);
    });
    return node;
  }

  static ObjectNode table(TableInfo info, String status) {
    TableSchema schema = info.schema();
    ObjectNode table = NODES.objectNode();
    String arn = "arn:aws:dynamodb:local:000000000000:table/" + schema.tableName();
    table.put("TableName", schema.tableName());
    table.put("TableArn", arn);
    table.put("TableStatus", status);
    table.set("KeySchema", keys(schema.keySchema()));
    ArrayNode definitions = table.putArray("AttributeDefinitions");
    schema.attributeDefinitions().forEach(definition -> definitions.addObject()
        .put("AttributeName", definition.attributeName()).put("AttributeType", definition.attributeType()));
    table.put("CreationDateTime", info.creationEpochMillis() / 1000.0);
    table.put("ItemCount", info.itemCount());
    table.put("TableSizeBytes", info.sizeBytes());
    table.putObject("BillingModeSummary").put("BillingMode", "PAY_PER_REQUEST");
    table.set("ProvisionedThroughput", throughput());
    if (!schema.localIndexes().isEmpty()) {
      ArrayNode locals = table.putArray("LocalSecondaryIndexes");
      schema.localIndexes().forEach(index -> index(locals.addObject(), index, arn));
    }
    if (!schema.globalIndexes().isEmpty()) {
      ArrayNode globals = table.putArray("GlobalSecondaryIndexes");
      schema.globalIndexes().forEach(index -> index(globals.addObject(), index, arn)
          .put("IndexStatus", "ACTIVE").set("ProvisionedThroughput", throughput()));
    }
    return table;
  }

  private static ObjectNode index(ObjectNode node, TableSchema.SecondaryIndex index, String arn) {
    node.put("IndexName", index.indexName());
    node.put("IndexArn", arn + "/index/" + index.indexName());
    node.set("KeySchema", keys(index.keySchema()));
    ObjectNode projection = node.putObject("Projection");
    projection.put("ProjectionType", index.projectionType());
    if (!index.nonKeyAttributes().isEmpty()) {
      ArrayNode nonKey = projection.putArray("NonKeyAttributes");
      index.nonKeyAttributes().forEach(nonKey::add);
    }
    return node;
  }

  private static ArrayNode keys(List<TableSchema.KeyElement> elements) {
    ArrayNode keys = NODES.arrayNode();
    elements.forEach(element -> keys.addObject().put("AttributeName", element.attributeName()).put("KeyType", element.keyType()));
    return keys;
  }

  private static ObjectNode throughput() {
    ObjectNode node = NODES.objectNode();
    node.put("ReadCapacityUnits", 0).put("WriteCapacityUnits", 0).put("NumberOfDecreasesToday", 0);
    return node;
  }
}
