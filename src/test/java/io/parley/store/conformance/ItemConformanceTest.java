package io.parley.store.conformance;

import static io.parley.store.conformance.Sandbox.validation;
import static io.parley.store.conformance.Values.b;
import static io.parley.store.conformance.Values.item;
import static io.parley.store.conformance.Values.list;
import static io.parley.store.conformance.Values.map;
import static io.parley.store.conformance.Values.n;
import static io.parley.store.conformance.Values.s;
import static io.parley.store.conformance.Values.ss;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.ConditionalCheckFailedException;
import com.amazonaws.services.dynamodbv2.model.DeleteItemRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.ReturnValue;
import com.amazonaws.services.dynamodbv2.model.ReturnValuesOnConditionCheckFailure;
import com.amazonaws.services.dynamodbv2.model.ScalarAttributeType;
import com.amazonaws.services.dynamodbv2.model.UpdateItemRequest;
import java.util.Map;

/** PutItem, GetItem and DeleteItem: conditions, ReturnValues, projections and the item's limits. */
class ItemConformanceTest {

  @ConformanceTest
  void putReplacesTheWholeItemAndGetReadsIt(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S, "sk", ScalarAttributeType.N);
    box.put(table, item("pk", s("a"), "sk", n(1), "x", s("one"), "y", n(2)));
    box.put(table, item("pk", s("a"), "sk", n(1), "z", s("three")));
    assertEquals(item("pk", s("a"), "sk", n(1), "z", s("three")), box.get(table, item("pk", s("a"), "sk", n(1))));
    assertNull(box.get(table, item("pk", s("a"), "sk", n(2))), "a missing item is no Item, not an error");
  }

  @ConformanceTest
  void putAndDeleteReturnTheOldItemOnlyWhenAsked(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    Map<String, AttributeValue> first = item("pk", s("a"), "v", n(1));
    assertNull(box.db.putItem(new PutItemRequest(table, first).withReturnValues(ReturnValue.ALL_OLD)).getAttributes());
    assertNull(box.db.putItem(new PutItemRequest(table, item("pk", s("a"), "v", n(2)))).getAttributes());
    assertEquals(item("pk", s("a"), "v", n(2)), box.db.putItem(new PutItemRequest(table, first)
        .withReturnValues(ReturnValue.ALL_OLD)).getAttributes());
    assertEquals(first, box.db.deleteItem(new DeleteItemRequest(table, item("pk", s("a")))
        .withReturnValues(ReturnValue.ALL_OLD)).getAttributes());
    assertNull(box.get(table, item("pk", s("a"))));
    assertNull(box.db.deleteItem(new DeleteItemRequest(table, item("pk", s("a")))
        .withReturnValues(ReturnValue.ALL_OLD)).getAttributes(), "deleting a missing item is no error");
  }

  @ConformanceTest
  void putAcceptsOnlyNoneOrAllOldAsReturnValues(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    validation(() -> box.db.putItem(new PutItemRequest(table, item("pk", s("a"))).withReturnValues(ReturnValue.ALL_NEW)));
    validation(() -> box.db.deleteItem(new DeleteItemRequest(table, item("pk", s("a")))
        .withReturnValues(ReturnValue.UPDATED_OLD)));
    assertNull(box.get(table, item("pk", s("a"))));
  }

  @ConformanceTest
  void failedConditionLeavesTheItemAndCanReturnIt(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    Map<String, AttributeValue> stored = item("pk", s("a"), "v", n(1));
    box.put(table, stored);
    ConditionalCheckFailedException failed = assertThrows(ConditionalCheckFailedException.class,
        () -> box.db.putItem(new PutItemRequest(table, item("pk", s("a"), "v", n(2)))
            .withConditionExpression("attribute_not_exists(pk)")
            .withReturnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));
    assertEquals(stored, failed.getItem());
    assertThrows(ConditionalCheckFailedException.class, () -> box.db.deleteItem(new DeleteItemRequest(table, item("pk", s("a")))
        .withConditionExpression("v = :two").withExpressionAttributeValues(Map.of(":two", n(2)))));
    assertEquals(stored, box.get(table, item("pk", s("a"))));
    box.db.deleteItem(new DeleteItemRequest(table, item("pk", s("a")))
        .withConditionExpression("v = :one").withExpressionAttributeValues(Map.of(":one", n("1.0"))));
    assertNull(box.get(table, item("pk", s("a"))));
  }

  @ConformanceTest
  void conditionFunctionsAndOperators(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "name", s("parley"), "n", n(5), "tags", ss("x", "y"),
        "l", list(s("p"), n(1)), "m", map("k", s("v")), "bin", b(1, 2, 3)));
    Map<String, AttributeValue> values = item(":p", s("par"), ":x", s("x"), ":one", n(1), ":three", n(3),
        ":seven", n(7), ":ss", s("SS"), ":five", n(5), ":s", s("5"), ":v", s("v"));
    String[] holds = {
        "attribute_exists(#name) AND attribute_not_exists(nothere)",
        "begins_with(#name, :p)", "contains(#name, :p)", "contains(tags, :x)", "contains(l, :one)",
        "attribute_type(tags, :ss)", "size(#name) = :seven OR size(#name) > :five",
        "size(tags) < :three AND size(l) = size(tags) AND size(bin) = :three AND size(m) = :one",
        "n BETWEEN :three AND :seven", "n IN (:one, :five)", "NOT (n <> :five)", "n >= :five AND n <= :five",
        "m.k = :v", "l[1] = :one", "(n < :seven OR n > :seven) AND NOT n = :one",
    };
    String[] fails = {
        "attribute_exists(nothere)", "begins_with(#name, :x)", "contains(tags, :p)", "n BETWEEN :one AND :three",
        "n IN (:one, :three)", "n = :s", "n < :s", "n > :s", "attribute_type(#name, :ss)", "m.nothere = :v",
    };
    for (String condition : holds) {
      box.db.putItem(conditional(table, condition, values));
    }
    for (String condition : fails) {
      assertThrows(ConditionalCheckFailedException.class, () -> box.db.putItem(conditional(table, condition, values)),
          condition);
    }
    // BETWEEN is defined for a lower bound not above the upper; DynamoDB refuses two values out of
    // order as an invalid expression ("The BETWEEN operator requires upper bound to be greater than or
    // equal to lower bound") rather than evaluating the condition to false.
    validation(() -> box.db.putItem(conditional(table, "n BETWEEN :seven AND :three", values)));
    // Bounds of two types bound nothing: "AttributeValueList must contain two AttributeValue elements of
    // the same type" (API reference, Condition, BETWEEN); DynamoDB refuses them likewise in expressions
    // ("The BETWEEN operator requires same data type for lower and upper bounds").
    validation(() -> box.db.putItem(conditional(table, "n BETWEEN :s AND :seven", values)));
    validation(() -> box.db.putItem(conditional(table, "n BETWEEN :three AND :s", values)));
  }

  /** A put that writes the same item again, under the condition, with only the values it uses. */
  private static PutItemRequest conditional(String table, String condition, Map<String, AttributeValue> values) {
    Map<String, AttributeValue> used = new java.util.HashMap<>();
    values.forEach((name, value) -> {
      if (condition.matches(".*" + name + "\\b.*")) {
        used.put(name, value);
      }
    });
    PutItemRequest put = new PutItemRequest(table, item("pk", s("a"), "name", s("parley"), "n", n(5), "tags", ss("x", "y"),
        "l", list(s("p"), n(1)), "m", map("k", s("v")), "bin", b(1, 2, 3)))
        .withConditionExpression(condition).withExpressionAttributeValues(used.isEmpty() ? null : used);
    return condition.contains("#name") ? put.withExpressionAttributeNames(Map.of("#name", "name")) : put;
  }

  @ConformanceTest
  void projectionReadsTopLevelAndNestedAttributes(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "m", map("x", n(1), "y", n(2)), "l", list(s("l0"), s("l1"), s("l2")),
        "size", s("reserved")));
    Map<String, AttributeValue> projected = box.db.getItem(new GetItemRequest(table, item("pk", s("a")))
        .withProjectionExpression("m.y, l[2], #s, nothere").withExpressionAttributeNames(Map.of("#s", "size"))).getItem();
    assertEquals(item("m", map("y", n(2)), "l", list(s("l2")), "size", s("reserved")), projected);
  }

  /**
   * A projection is the item with only the named paths left in it (developer guide, "Projection
   * expressions"): two paths into one list element give that one element with both parts, and
   * elements stay in the list's order, whatever the order of their paths.
   */
  @ConformanceTest
  void projectedListElementsStayOneElementEachInTheListsOrder(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "l", list(map("a", n(1), "b", n(2), "c", n(3)), s("x1"), s("x2"), s("x3"))));
    assertEquals(item("l", list(map("a", n(1), "b", n(2)))), project(box, table, "l[0].a, l[0].b"));
    assertEquals(item("l", list(s("x1"), s("x3"))), project(box, table, "l[3], l[1]"));
    assertEquals(item("l", list(map("c", n(3)), s("x2"))), project(box, table, "l[2], l[9], l[0].c"));
  }

  private static Map<String, AttributeValue> project(Sandbox box, String table, String projection) {
    return box.db.getItem(new GetItemRequest(table, item("pk", s("a"))).withProjectionExpression(projection)).getItem();
  }

  @ConformanceTest
  void aDotInAPathSeparatesMapKeysUnlessTheNameIsAPlaceholder(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "a.b", s("flat"), "a", map("b", s("nested"))));
    assertEquals(item("a", map("b", s("nested"))), box.db.getItem(new GetItemRequest(table, item("pk", s("a")))
        .withProjectionExpression("a.b")).getItem());
    assertEquals(item("a.b", s("flat")), box.db.getItem(new GetItemRequest(table, item("pk", s("a")))
        .withProjectionExpression("#ab").withExpressionAttributeNames(Map.of("#ab", "a.b"))).getItem());
  }

  @ConformanceTest
  void comparingOrSizingTheWrongTypeIsFalseNotAnError(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "n", n(5), "t", s("text")));
    assertThrows(ConditionalCheckFailedException.class, () -> box.db.putItem(new PutItemRequest(table, item("pk", s("a")))
        .withConditionExpression("size(n) > :zero").withExpressionAttributeValues(Map.of(":zero", n(0)))));
    assertThrows(ConditionalCheckFailedException.class, () -> box.db.putItem(new PutItemRequest(table, item("pk", s("a")))
        .withConditionExpression("t > :five").withExpressionAttributeValues(Map.of(":five", n(5)))));
    PutItemRequest unknownType = new PutItemRequest(table, item("pk", s("a")))
        .withConditionExpression("attribute_type(t, :type)").withExpressionAttributeValues(Map.of(":type", s("XX")));
    box.documented(Departure.UNKNOWN_ATTRIBUTE_TYPE_IS_A_FALSE_CONDITION,
        () -> validation(() -> box.db.putItem(unknownType)),
        () -> assertThrows(ConditionalCheckFailedException.class, () -> box.db.putItem(unknownType)));
    assertEquals(item("pk", s("a"), "n", n(5), "t", s("text")), box.get(table, item("pk", s("a"))));
  }

  @ConformanceTest
  void reservedWordsAreRefusedAsBareNames(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "data", s("d")));
    validation(() -> box.db.getItem(new GetItemRequest(table, item("pk", s("a"))).withProjectionExpression("data")));
    validation(() -> box.db.putItem(new PutItemRequest(table, item("pk", s("a")))
        .withConditionExpression("attribute_exists(Status)")));
    assertEquals(item("data", s("d")), box.db.getItem(new GetItemRequest(table, item("pk", s("a")))
        .withProjectionExpression("#d").withExpressionAttributeNames(Map.of("#d", "data"))).getItem());
  }

  @ConformanceTest
  void refusesMalformedExpressions(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    Map<String, AttributeValue> key = item("pk", s("a"));
    validation(() -> box.db.putItem(new PutItemRequest(table, key).withConditionExpression("attribute_not_exists(#x)")));
    validation(() -> box.db.putItem(new PutItemRequest(table, key).withConditionExpression("pk <> :v")));
    validation(() -> box.db.putItem(new PutItemRequest(table, key).withConditionExpression("attribute_not_exists(pk)")
        .withExpressionAttributeValues(Map.of(":unused", n(1)))));
    validation(() -> box.db.putItem(new PutItemRequest(table, key).withConditionExpression("attribute_not_exists(pk)")
        .withExpressionAttributeNames(Map.of("#unused", "x"))));
    validation(() -> box.db.putItem(new PutItemRequest(table, key).withConditionExpression("pk = = :v")
        .withExpressionAttributeValues(Map.of(":v", s("a")))));
    // IN takes at most 100 values; a projection may not name overlapping paths.
    Map<String, AttributeValue> hundredAndOne = new java.util.HashMap<>();
    for (int i = 0; i <= 100; i++) {
      hundredAndOne.put(":v" + i, n(i));
    }
    PutItemRequest inHundredAndOne = new PutItemRequest(table, key).withExpressionAttributeValues(hundredAndOne)
        .withConditionExpression("pk IN (" + String.join(", ", new java.util.TreeSet<>(hundredAndOne.keySet())) + ")");
    box.documented(Departure.IN_TAKES_MORE_THAN_100_VALUES,
        () -> validation(() -> box.db.putItem(inHundredAndOne)),
        () -> assertThrows(ConditionalCheckFailedException.class, () -> box.db.putItem(inHundredAndOne)));
    validation(() -> box.db.getItem(new GetItemRequest(table, key).withProjectionExpression("m, m.x")));
    // Names, placeholders and list indexes are ASCII letters, digits and underscores (developer guide,
    // "Expression attribute names": "alphanumeric characters"): a name in another script, or an index
    // in other digits ("\u0661" is ARABIC-INDIC DIGIT ONE), is not read as if it were ASCII.
    validation(() -> box.db.getItem(new GetItemRequest(table, key).withProjectionExpression("l[\u0661]")));
    validation(() -> box.db.getItem(new GetItemRequest(table, key).withProjectionExpression("caf\u00e9")));
    validation(() -> box.db.getItem(new GetItemRequest(table, key).withProjectionExpression("#caf\u00e9")
        .withExpressionAttributeNames(Map.of("#caf\u00e9", "x"))));
    validation(() -> box.db.putItem(new PutItemRequest(table, key).withConditionExpression("if_not_exists(pk, :v) = :v")
        .withExpressionAttributeValues(Map.of(":v", s("a")))));
    // Arithmetic belongs to update expressions' SET only (developer guide, condition expression syntax).
    validation(() -> box.db.putItem(new PutItemRequest(table, key).withConditionExpression("size(pk) = :v - :v")
        .withExpressionAttributeValues(Map.of(":v", n(1)))));
    assertNull(box.get(table, key), "nothing stored by a refused request");
  }

  @ConformanceTest
  void itemsUpTo400KbAreStoredAndLargerOnesRefused(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    // Size = attribute names' and values' UTF-8 lengths: "pk" + "a" + "d" + the payload.
    int limit = 400 * 1024;
    Map<String, AttributeValue> largest = item("pk", s("a"), "d", s("x".repeat(limit - 4)));
    box.put(table, largest);
    assertEquals(largest, box.get(table, item("pk", s("a"))));
    validation(() -> box.put(table, item("pk", s("b"), "d", s("x".repeat(limit - 3)))));
    validation(() -> box.put(table, item("pk", s("c"), "d", s("é".repeat(limit / 2)))));
    assertNull(box.get(table, item("pk", s("b"))));
    assertNull(box.get(table, item("pk", s("c"))));
    validation(() -> box.db.updateItem(new UpdateItemRequest().withTableName(table).withKey(item("pk", s("a")))
        .withUpdateExpression("SET e = :e").withExpressionAttributeValues(item(":e", s("")))));
    assertEquals(largest, box.get(table, item("pk", s("a"))), "an update past the limit changes nothing");
  }

  @ConformanceTest
  void keysMustBeThereNotEmptyAndOfTheirType(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S, "sk", ScalarAttributeType.B);
    validation(() -> box.put(table, item("pk", s(""), "sk", b(1))));
    validation(() -> box.put(table, item("pk", s("a"), "sk", b())));
    validation(() -> box.put(table, item("pk", n(1), "sk", b(1))));
    validation(() -> box.put(table, item("pk", s("a"), "sk", s("1"))));
    validation(() -> box.put(table, item("pk", s("a"))));
    validation(() -> box.get(table, item("pk", s("a"))));
    validation(() -> box.get(table, item("pk", s("a"), "sk", b(1), "other", s("x"))));
    validation(() -> box.db.deleteItem(table, item("sk", b(1))));
    box.put(table, item("pk", s("a"), "sk", b(1), "empty", s(""), "emptyBytes", b()));
    assertEquals(item("pk", s("a"), "sk", b(1), "empty", s(""), "emptyBytes", b()),
        box.get(table, item("pk", s("a"), "sk", b(1))), "empty non-key strings and binaries are kept");
  }
}
