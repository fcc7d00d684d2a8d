package io.parley.store.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.store.engine.StoreEngine;
import io.parley.store.model.StoreException;
import io.parley.store.model.TableInfo;
import java.util.List;

/** Runs one DynamoDB JSON operation on the engine: request body in, response body out. */
final class JsonOperations {
  private final StoreEngine engine;

  JsonOperations(StoreEngine engine) {
    this.engine = engine;
  }

  ObjectNode run(String operation, JsonNode body) {
    JsonRequests.refuseUnsupported(body);
    ObjectNode answer = JsonValues.NODES.objectNode();
    switch (operation) {
      case "CreateTable" -> answer.set("TableDescription",
          JsonResponses.table(engine.createTable(JsonRequests.createTable(body)), "ACTIVE"));
      case "DescribeTable" -> answer.set("Table", JsonResponses.table(engine.describeTable(JsonRequests.text(body, "TableName")), "ACTIVE"));
      case "DeleteTable" -> answer.set("TableDescription",
          JsonResponses.table(engine.deleteTable(JsonRequests.text(body, "TableName")), "DELETING"));
      case "ListTables" -> listTables(body, answer);
      case "UpdateTable" -> answer.set("TableDescription", JsonResponses.table(
          engine.updateTable(JsonRequests.text(body, "TableName"), JsonRequests.indexChanges(body)), "ACTIVE"));
      case "UpdateTimeToLive" -> {
        JsonNode specification = body.get("TimeToLiveSpecification");
        if (specification == null) {
          throw StoreException.validation("1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null");
        }
        engine.updateTimeToLive(JsonRequests.text(body, "TableName"), JsonRequests.text(specification, "AttributeName"),
            specification.path("Enabled").asBoolean(false));
        answer.set("TimeToLiveSpecification", specification);
      }
      case "DescribeTimeToLive" -> {
        TableInfo info = engine.describeTimeToLive(JsonRequests.text(body, "TableName"));
        ObjectNode description = answer.putObject("TimeToLiveDescription");
        description.put("TimeToLiveStatus", info.ttlEnabled() ? "ENABLED" : "DISABLED");
        if (info.ttlEnabled()) {
          description.put("AttributeName", info.ttlAttribute());
        }
      }
      case "PutItem" -> answer = JsonResponses.attributes(engine.putItem(JsonRequests.putItem(body)));
      case "GetItem" -> answer = JsonResponses.item(engine.getItem(JsonRequests.getItem(body)));
      case "DeleteItem" -> answer = JsonResponses.attributes(engine.deleteItem(JsonRequests.deleteItem(body)));
      case "UpdateItem" -> answer = JsonResponses.attributes(engine.updateItem(JsonRequests.updateItem(body)));
      case "Query" -> answer = JsonResponses.page(engine.query(JsonRequests.query(body)));
      case "Scan" -> answer = JsonResponses.page(engine.scan(JsonRequests.scan(body)));
      case "BatchGetItem" -> answer = JsonResponses.batchGet(engine.batchGetItem(JsonRequests.batchGetItem(body)), body);
      case "BatchWriteItem" -> {
        engine.batchWriteItem(JsonRequests.batchWriteItem(body));
        answer.putObject("UnprocessedItems");
      }
      case "TransactWriteItems" -> engine.transactWriteItems(JsonRequests.transactWriteItems(body));
      default -> throw new StoreException(StoreException.Code.UnknownOperationException,
          "The operation " + operation + " is not supported by this store");
    }
    return answer;
  }

  private void listTables(JsonNode body, ObjectNode answer) {
    List<String> names = engine.listTables();
    int limit = body.path("Limit").asInt(100);
    if (limit < 1 || limit > 100) {
      throw StoreException.validation("1 validation error detected: Value '" + limit
          + "' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100");
    }
    String start = JsonRequests.text(body, "ExclusiveStartTableName");
    List<String> page = names.stream().filter(name -> start == null || name.compareTo(start) > 0).limit(limit).toList();
    ArrayNode tableNames = answer.putArray("TableNames");
    page.forEach(tableNames::add);
    if (page.size() == limit && !page.isEmpty() && !page.get(page.size() - 1).equals(names.get(names.size() - 1))) {
      answer.put("LastEvaluatedTableName", page.get(page.size() - 1));
    }
  }
}
