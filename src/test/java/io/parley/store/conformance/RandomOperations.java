package io.parley.store.conformance;

import static io.parley.store.conformance.Values.item;
import static io.parley.store.conformance.Values.list;
import static io.parley.store.conformance.Values.n;
import static io.parley.store.conformance.Values.s;
import static io.parley.store.conformance.Values.ss;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException;
import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.ConditionCheck;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.Delete;
import com.amazonaws.services.dynamodbv2.model.DeleteItemRequest;
import com.amazonaws.services.dynamodbv2.model.DeleteRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.GlobalSecondaryIndex;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import com.amazonaws.services.dynamodbv2.model.LocalSecondaryIndex;
import com.amazonaws.services.dynamodbv2.model.Projection;
import com.amazonaws.services.dynamodbv2.model.ProjectionType;
import com.amazonaws.services.dynamodbv2.model.Put;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.ReturnValue;
import com.amazonaws.services.dynamodbv2.model.ScalarAttributeType;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.amazonaws.services.dynamodbv2.model.Select;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItem;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsRequest;
import com.amazonaws.services.dynamodbv2.model.Update;
import com.amazonaws.services.dynamodbv2.model.UpdateItemRequest;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Random DynamoDB requests from a seed, over a small key space so that conditions both hold and fail,
 * pages end mid-partition and transactions collide. Each operation sends its request to a target and
 * gives the answer as {@link Answers} text. Shapes a target is known to depart in ({@link Departure})
 * are not generated.
 */
final class RandomOperations {
  /** One request, sent to any target; its answer as text comparable across targets. */
  record Operation(String description, Function<AmazonDynamoDB, String> send) {}

  private static final List<String> PARTITIONS = List.of("a", "b", "c");
  private static final int SORT_KEYS = 12;
  private static final List<String> CONDITIONS = Stream.concat(Stream.of("attribute_not_exists(pk)",
      "attribute_exists(pk)", "v < :c", "attribute_exists(t) AND begins_with(t, :p)",
      "size(s) >= :one OR attribute_not_exists(s)", "contains(s, :x)", "NOT (v BETWEEN :c AND :c2)", "g IN (:g0, :g1)"),
      DocumentOperations.CONDITIONS.stream()).toList();
  private static final List<String> UPDATES = List.of("SET v = if_not_exists(v, :zero) + :d", "SET t = :t", "SET g = :g",
      "REMOVE g, t", "ADD s :set", "DELETE s :set", "SET l = list_append(if_not_exists(l, :empty), :l)", "ADD v :d",
      "SET v = :d, w = :t REMOVE l", "SET m = if_not_exists(m, :emptyMap)");
  private static final List<String> RETURN_VALUES = List.of("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW");

  private final Random random;
  private final String table;

  RandomOperations(long seed, String table) {
    this.random = new Random(seed);
    this.table = table;
  }

  /** The table the operations use: (pk S, sk N), LSI by-t (pk, t S), GSI by-g (g S, sk N), both ALL. */
  static CreateTableRequest schema(String table) {
    Projection all = new Projection().withProjectionType(ProjectionType.ALL);
    return new CreateTableRequest().withTableName(table).withBillingMode("PAY_PER_REQUEST")
        .withAttributeDefinitions(new AttributeDefinition("pk", ScalarAttributeType.S),
            new AttributeDefinition("sk", ScalarAttributeType.N), new AttributeDefinition("t", ScalarAttributeType.S),
            new AttributeDefinition("g", ScalarAttributeType.S))
        .withKeySchema(new KeySchemaElement("pk", KeyType.HASH), new KeySchemaElement("sk", KeyType.RANGE))
        .withLocalSecondaryIndexes(new LocalSecondaryIndex().withIndexName("by-t").withProjection(all)
            .withKeySchema(new KeySchemaElement("pk", KeyType.HASH), new KeySchemaElement("t", KeyType.RANGE)))
        .withGlobalSecondaryIndexes(new GlobalSecondaryIndex().withIndexName("by-g").withProjection(all)
            .withKeySchema(new KeySchemaElement("g", KeyType.HASH), new KeySchemaElement("sk", KeyType.RANGE)));
  }

  Operation next() {
    int pick = random.nextInt(100);
    if (pick < 22) {
      return put();
    } else if (pick < 47) {
      return update();
    } else if (pick < 55) {
      return delete();
    } else if (pick < 62) {
      return get();
    } else if (pick < 80) {
      return query();
    } else if (pick < 85) {
      return scan();
    } else if (pick < 95) {
      return transaction();
    }
    return batchWrite();
  }

  /** Everything in the table, in no order. */
  Operation wholeTable() {
    return new Operation("scan of the whole table", db -> Answers.unordered(Pages.scan(db, new ScanRequest(table)
        .withConsistentRead(true)).items()));
  }

  private Operation put() {
    Map<String, AttributeValue> item = randomItem();
    PutItemRequest request = new PutItemRequest(table, item).withReturnValues(random.nextBoolean() ? ReturnValue.ALL_OLD : ReturnValue.NONE);
    Condition condition = maybeCondition();
    if (condition != null) {
      request.withConditionExpression(condition.expression).withExpressionAttributeValues(condition.values);
    }
    return answering("PutItem " + request, db -> Answers.item(db.putItem(request.clone()).getAttributes()));
  }

  private Operation update() {
    if (random.nextInt(3) == 0) {
      UpdateItemRequest request = DocumentOperations.update(random, table, randomKey(), updateValues());
      return answering("UpdateItem " + request, db -> Answers.item(db.updateItem(request.clone()).getAttributes()));
    }
    String expression = UPDATES.get(random.nextInt(UPDATES.size()));
    Map<String, AttributeValue> values = usedValues(expression, updateValues());
    Condition condition = maybeCondition();
    if (condition != null && condition.values != null) {
      values.putAll(condition.values);
    }
    UpdateItemRequest request = new UpdateItemRequest().withTableName(table).withKey(randomKey())
        .withUpdateExpression(expression).withExpressionAttributeValues(values.isEmpty() ? null : values)
        .withConditionExpression(condition == null ? null : condition.expression)
        .withReturnValues(RETURN_VALUES.get(random.nextInt(RETURN_VALUES.size())));
    boolean allOld = ReturnValue.ALL_OLD.toString().equals(request.getReturnValues());
    return answering("UpdateItem " + request, db -> {
      // dynoxide answers ALL_OLD of an update that creates the item with the item's key
      // (Departure.ALL_OLD_OF_AN_UPDATE_THAT_CREATES_THE_ITEM_IS_ITS_KEY): read as the documented none.
      boolean created = allOld && db.getItem(new GetItemRequest(table, request.getKey()).withConsistentRead(true)).getItem() == null;
      Map<String, AttributeValue> old = db.updateItem(request.clone()).getAttributes();
      return Answers.item(created && request.getKey().equals(old) ? null : old);
    });
  }

  private Operation delete() {
    DeleteItemRequest request = new DeleteItemRequest(table, randomKey()).withReturnValues(ReturnValue.ALL_OLD);
    Condition condition = maybeCondition();
    if (condition != null) {
      request.withConditionExpression(condition.expression).withExpressionAttributeValues(condition.values);
    }
    return answering("DeleteItem " + request, db -> Answers.item(db.deleteItem(request.clone()).getAttributes()));
  }

  private Operation get() {
    GetItemRequest request = new GetItemRequest(table, randomKey()).withConsistentRead(true)
        .withProjectionExpression(random.nextBoolean() ? null
        : DocumentOperations.PROJECTIONS.get(random.nextInt(DocumentOperations.PROJECTIONS.size())));
    return answering("GetItem " + request, db -> Answers.item(db.getItem(request.clone()).getItem()));
  }

  private Operation query() {
    String pk = PARTITIONS.get(random.nextInt(PARTITIONS.size()));
    Map<String, AttributeValue> values = new HashMap<>();
    String index = switch (random.nextInt(4)) {
      case 0 -> "by-t";
      case 1 -> "by-g";
      default -> null;
    };
    String keyCondition;
    if ("by-g".equals(index)) {
      values.put(":g", s("g" + random.nextInt(2)));
      keyCondition = random.nextBoolean() ? "g = :g" : "g = :g AND sk > :k";
    } else if ("by-t".equals(index)) {
      values.put(":p", s(pk));
      keyCondition = random.nextBoolean() ? "pk = :p AND begins_with(t, :t)" : "pk = :p AND t >= :t";
      values.put(":t", s("t" + random.nextInt(6)));
    } else {
      values.put(":p", s(pk));
      keyCondition = List.of("pk = :p", "pk = :p AND sk = :k", "pk = :p AND sk < :k", "pk = :p AND sk <= :k",
          "pk = :p AND sk > :k", "pk = :p AND sk >= :k", "pk = :p AND sk BETWEEN :k AND :k2").get(random.nextInt(7));
    }
    int k = random.nextInt(SORT_KEYS);
    values.put(":k", n(k));
    values.put(":k2", n(k + random.nextInt(6)));
    String filter = random.nextInt(3) == 0
        ? DocumentOperations.FILTERS.get(random.nextInt(DocumentOperations.FILTERS.size())) : null;
    values.put(":f", n(random.nextInt(10)));
    QueryRequest request = new QueryRequest(table).withIndexName(index).withKeyConditionExpression(keyCondition)
        .withFilterExpression(filter).withExpressionAttributeValues(usedValues(keyCondition + " " + filter, values))
        .withConsistentRead(!"by-g".equals(index)).withScanIndexForward(random.nextBoolean())
        .withLimit(random.nextBoolean() ? null : 1 + random.nextInt(7))
        .withSelect(random.nextInt(5) == 0 ? Select.COUNT.toString() : null);
    boolean ordered = index == null;
    return answering("Query " + request, db -> {
      Pages pages = Pages.query(db, request);
      // On the table, pages and order are defined; on an index, items with equal index keys come in any order.
      return "scanned " + pages.scannedCount + " counted " + pages.count + " " + (ordered
          ? pages.pages.stream().map(Answers::items).toList().toString()
          : Answers.unordered(pages.items()));
    });
  }

  private Operation scan() {
    ScanRequest request = new ScanRequest(table).withConsistentRead(true)
        .withLimit(random.nextBoolean() ? null : 1 + random.nextInt(10));
    if (random.nextBoolean()) {
      request.withFilterExpression("attribute_exists(s) OR v >= :f").withExpressionAttributeValues(item(":f", n(random.nextInt(8))));
    }
    return answering("Scan " + request, db -> {
      Pages pages = Pages.scan(db, request);
      return "scanned " + pages.scannedCount + " counted " + pages.count + " " + Answers.unordered(pages.items());
    });
  }

  private Operation transaction() {
    List<TransactWriteItem> actions = new ArrayList<>();
    for (Map<String, AttributeValue> key : distinctKeys(2 + random.nextInt(3))) {
      Condition condition = maybeCondition();
      switch (random.nextInt(4)) {
        case 0 -> {
          Map<String, AttributeValue> item = randomItem();
          item.putAll(key);
          Put put = new Put().withTableName(table).withItem(item);
          if (condition != null) {
            put.withConditionExpression(condition.expression).withExpressionAttributeValues(condition.values);
          }
          actions.add(new TransactWriteItem().withPut(put));
        }
        case 1 -> {
          Map<String, AttributeValue> values = new HashMap<>(Map.of(":d", n(1 + random.nextInt(3))));
          Update update = new Update().withTableName(table).withKey(key).withUpdateExpression("ADD v :d");
          if (condition != null) {
            if (condition.values != null) {
              values.putAll(condition.values);
            }
            update.withConditionExpression(condition.expression);
          }
          actions.add(new TransactWriteItem().withUpdate(update.withExpressionAttributeValues(values)));
        }
        case 2 -> {
          Delete delete = new Delete().withTableName(table).withKey(key);
          if (condition != null) {
            delete.withConditionExpression(condition.expression).withExpressionAttributeValues(condition.values);
          }
          actions.add(new TransactWriteItem().withDelete(delete));
        }
        default -> {
          Condition check = condition != null ? condition : new Condition("attribute_exists(pk)", null);
          actions.add(new TransactWriteItem().withConditionCheck(new ConditionCheck().withTableName(table).withKey(key)
              .withConditionExpression(check.expression).withExpressionAttributeValues(check.values)));
        }
      }
    }
    TransactWriteItemsRequest request = new TransactWriteItemsRequest().withTransactItems(actions);
    return answering("TransactWriteItems " + request, db -> {
      db.transactWriteItems(request.clone());
      return "committed";
    });
  }

  private Operation batchWrite() {
    List<WriteRequest> writes = new ArrayList<>();
    for (Map<String, AttributeValue> key : distinctKeys(1 + random.nextInt(6))) {
      if (random.nextBoolean()) {
        Map<String, AttributeValue> item = randomItem();
        item.putAll(key);
        writes.add(new WriteRequest(new PutRequest(item)));
      } else {
        writes.add(new WriteRequest(new DeleteRequest(key)));
      }
    }
    BatchWriteItemRequest request = new BatchWriteItemRequest(Map.of(table, writes));
    return answering("BatchWriteItem " + request, db -> {
      Map<String, List<WriteRequest>> unprocessed = db.batchWriteItem(request.clone()).getUnprocessedItems();
      return unprocessed == null || unprocessed.isEmpty() ? "written" : "unprocessed " + unprocessed;
    });
  }

  private static Operation answering(String description, Function<AmazonDynamoDB, String> send) {
    return new Operation(description, db -> {
      try {
        return send.apply(db);
      } catch (AmazonDynamoDBException e) {
        return "refused " + Answers.error(e);
      }
    });
  }

  private record Condition(String expression, Map<String, AttributeValue> values) {}

  private Condition maybeCondition() {
    if (random.nextInt(3) == 0) {
      return null;
    }
    String expression = CONDITIONS.get(random.nextInt(CONDITIONS.size()));
    int c = random.nextInt(10);
    Map<String, AttributeValue> values = usedValues(expression, new HashMap<>(Map.of(":c", n(c), ":c2", n(c + 3),
        ":p", s("t1"), ":one", n(1), ":x", s("x"), ":g0", s("g0"), ":g1", s("g1"), ":M", s("M"))));
    return new Condition(expression, values.isEmpty() ? null : values);
  }

  private Map<String, AttributeValue> updateValues() {
    Set<String> set = new LinkedHashSet<>();
    for (String member : List.of("x", "y", "z")) {
      if (random.nextBoolean()) {
        set.add(member);
      }
    }
    set.add(List.of("x", "y", "z").get(random.nextInt(3)));
    return new HashMap<>(Map.of(":zero", n(0), ":d", n(List.of("1", "2", "-3", "0.5", "-1.25", "10").get(random.nextInt(6))),
        ":t", s("t" + random.nextInt(6)), ":g", s("g" + random.nextInt(2)), ":set", ss(set.toArray(String[]::new)),
        ":empty", list(), ":l", list(n(random.nextInt(5))), ":emptyMap", new AttributeValue().withM(Map.of())));
  }

  /** The values an expression names (DynamoDB refuses unused ones). */
  static Map<String, AttributeValue> usedValues(String expression, Map<String, AttributeValue> values) {
    Map<String, AttributeValue> used = new HashMap<>();
    values.forEach((name, value) -> {
      if (expression.matches("(?s).*" + name + "\\b.*")) {
        used.put(name, value);
      }
    });
    return used;
  }

  private Map<String, AttributeValue> randomKey() {
    return item("pk", s(PARTITIONS.get(random.nextInt(PARTITIONS.size()))), "sk", n(random.nextInt(SORT_KEYS)));
  }

  private List<Map<String, AttributeValue>> distinctKeys(int count) {
    Set<Map<String, AttributeValue>> keys = new LinkedHashSet<>();
    while (keys.size() < count) {
      keys.add(randomKey());
    }
    return List.copyOf(keys);
  }

  private Map<String, AttributeValue> randomItem() {
    Map<String, AttributeValue> item = randomKey();
    item.put("v", n(random.nextInt(15) - 3));
    if (random.nextBoolean()) {
      item.put("t", s("t" + random.nextInt(6)));
    }
    if (random.nextBoolean()) {
      item.put("g", s("g" + random.nextInt(2)));
    }
    if (random.nextInt(3) == 0) {
      item.put("s", ss("x", "y"));
    }
    if (random.nextInt(4) == 0) {
      item.put("l", list(s("e"), n(random.nextInt(3))));
    }
    if (random.nextBoolean()) {
      item.put("d", DocumentOperations.document(random));
    }
    return item;
  }
}
