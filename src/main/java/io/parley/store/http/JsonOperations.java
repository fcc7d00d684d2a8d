package io.parley.store.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.store.engine.BatchCapacity;
import io.parley.store.engine.Capacity;
import io.parley.store.engine.StoreEngine;
import io.parley.store.model.AttributeValue;
import io.parley.store.model.Requests;
import io.parley.store.model.Responses;
import io.parley.store.model.StoreException;
import io.parley.store.model.TableInfo;
import java.util.List;
import java.util.Map;

/** Runs one DynamoDB JSON operation on the engine: request body in, response body out. */
final class JsonOperations {
  private final StoreEngine engine;

  JsonOperations(StoreEngine engine) {
    this.engine = engine;
  }

  ObjectNode run(String operation, JsonNode body) {
    JsonRequests.refuseUnsupported(body);
    Capacity.Wanted wanted = Capacity.Wanted.parse(JsonRequests.text(body, "ReturnConsumedCapacity"));
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
        if (!specification.hasNonNull("Enabled")) {
          throw StoreException.validation("1 validation error detected: Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null");
        }
        engine.updateTimeToLive(JsonRequests.text(body, "TableName"), JsonRequests.text(specification, "AttributeName"),
            JsonRequests.flag(specification, "Enabled", false));
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
      case "PutItem" -> {
        Requests.PutItem put = JsonRequests.putItem(body);
        answer = JsonResponses.attributes(engine.putItem(put));
        capacity(wanted, answer, put.table(), Capacity.write(put.item()));
      }
      case "GetItem" -> {
        Requests.GetItem get = JsonRequests.getItem(body);
        Map<String, AttributeValue> item = engine.getItem(get);
        answer = JsonResponses.item(item);
        capacity(wanted, answer, get.table(), Capacity.read(item, get.consistentRead()));
      }
      case "DeleteItem" -> {
        Requests.DeleteItem delete = JsonRequests.deleteItem(body);
        Map<String, AttributeValue> old = engine.deleteItem(delete);
        answer = JsonResponses.attributes(old);
        capacity(wanted, answer, delete.table(), Capacity.write(old));
      }
      case "UpdateItem" -> {
        Requests.UpdateItem update = JsonRequests.updateItem(body);
        Map<String, AttributeValue> returned = engine.updateItem(update);
        answer = JsonResponses.attributes(returned);
        capacity(wanted, answer, update.table(), Capacity.write(returned));
      }
      case "Query" -> {
        Requests.Query query = JsonRequests.query(body);
        Responses.Page page = engine.query(query);
        answer = JsonResponses.page(page);
        capacity(wanted, answer, query.table(), Capacity.page(page.items(), query.consistentRead()));
      }
      case "Scan" -> {
        Requests.Scan scan = JsonRequests.scan(body);
        Responses.Page page = engine.scan(scan);
        answer = JsonResponses.page(page);
        capacity(wanted, answer, scan.table(), Capacity.page(page.items(), scan.consistentRead()));
      }
      case "BatchGetItem" -> {
        Requests.BatchGetItem batch = JsonRequests.batchGetItem(body);
        Responses.BatchGetResult result = engine.batchGetItem(batch);
        answer = JsonResponses.batchGet(result, body);
        capacities(wanted, answer, BatchCapacity.read(batch, result));
      }
      case "BatchWriteItem" -> {
        Requests.BatchWriteItem batch = JsonRequests.batchWriteItem(body);
        engine.batchWriteItem(batch);
        answer.putObject("UnprocessedItems");
        capacities(wanted, answer, BatchCapacity.write(batch));
      }
      case "TransactWriteItems" -> {
        Requests.TransactWriteItems transaction = JsonRequests.transactWriteItems(body);
        engine.transactWriteItems(transaction);
        capacities(wanted, answer, BatchCapacity.transact(transaction));
      }
      default -> throw new StoreException(StoreException.Code.UnknownOperationException,
          "The operation " + operation + " is not supported by this store");
    }
    return answer;
  }

  private static void capacity(Capacity.Wanted wanted, ObjectNode answer, String table, double units) {
    if (wanted != Capacity.Wanted.NONE) {
      answer.putObject("ConsumedCapacity").put("TableName", table).put("CapacityUnits", units);
    }
  }

  private static void capacities(Capacity.Wanted wanted, ObjectNode answer, Map<String, Double> byTable) {
    if (wanted != Capacity.Wanted.NONE) {
      ArrayNode capacities = answer.putArray("ConsumedCapacity");
      byTable.forEach((table, units) -> capacities.addObject().put("TableName", table).put("CapacityUnits", units));
    }
  }

  private void listTables(JsonNode body, ObjectNode answer) {
    List<String> names = engine.listTables();
    Integer asked = JsonRequests.integer(body, "Limit");
    int limit = asked == null ? 100 : asked;
    if (limit < 1 || limit > 100) {
      throw StoreException.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed to satisfy"
          + " constraint: Member must have value " + (limit < 1 ? "greater than or equal to 1" : "less than or equal to 100"));
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
