package io.parley.store.conformance;

import static io.parley.store.conformance.Sandbox.validation;
import static io.parley.store.conformance.Values.item;
import static io.parley.store.conformance.Values.list;
import static io.parley.store.conformance.Values.map;
import static io.parley.store.conformance.Values.n;
import static io.parley.store.conformance.Values.ns;
import static io.parley.store.conformance.Values.nul;
import static io.parley.store.conformance.Values.s;
import static io.parley.store.conformance.Values.ss;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.ConditionalCheckFailedException;
import com.amazonaws.services.dynamodbv2.model.ReturnValue;
import com.amazonaws.services.dynamodbv2.model.ScalarAttributeType;
import com.amazonaws.services.dynamodbv2.model.UpdateItemRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** UpdateItem: SET, REMOVE, ADD, DELETE, functions, arithmetic, conditions and ReturnValues. */
class UpdateConformanceTest {
  private static final Map<String, AttributeValue> KEY = item("pk", s("a"));

  private static UpdateItemRequest update(String table, String expression, Object... values) {
    UpdateItemRequest request = new UpdateItemRequest().withTableName(table).withKey(KEY).withUpdateExpression(expression);
    return values.length == 0 ? request : request.withExpressionAttributeValues(item(values));
  }

  @ConformanceTest
  void updateOfAMissingItemCreatesIt(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    Map<String, AttributeValue> created = box.db.updateItem(update(table, "SET v = :v", ":v", s("x"))
        .withReturnValues(ReturnValue.ALL_NEW)).getAttributes();
    assertEquals(item("pk", s("a"), "v", s("x")), created);
    assertEquals(created, box.get(table, KEY));
  }

  @ConformanceTest
  void setWithArithmeticFunctionsAndNestedPaths(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "n", n("0.1"), "l", list(n(1)), "m", map("x", n(1)), "keep", s("k")));
    box.db.updateItem(update(table,
        "SET n = n + :n, d = :ten - n, c = if_not_exists(c, :zero), keep = if_not_exists(keep, :s), "
            + "l = list_append(:front, list_append(l, :back)), m.y = :s, m.x = m.x + :ten",
        ":n", n("0.2"), ":ten", n(10), ":zero", n(0), ":s", s("new"), ":front", list(n(0)), ":back", list(n(2), n(3))));
    // Numbers are decimal: 0.1 + 0.2 is 0.3 exactly; 10 - 0.1 is 9.9.
    assertEquals(item("pk", s("a"), "n", n("0.3"), "l", list(n(0), n(1), n(2), n(3)), "m", map("x", n(11), "y", s("new")),
        "keep", s("k"), "d", n("9.9"), "c", n(0)), box.get(table, KEY));
    box.db.updateItem(update(table, "SET l[1] = :s, l[10] = :ten", ":s", s("one"), ":ten", n(10)));
    box.documented(Departure.LIST_SET_PAST_THE_END_PADS_WITH_NULLS,
        () -> assertEquals(list(n(0), s("one"), n(2), n(3), n(10)), box.get(table, KEY).get("l"),
            "an index past the end appends"),
        () -> assertEquals(list(n(0), s("one"), n(2), n(3), nul(), nul(), nul(), nul(), nul(), nul(), n(10)),
            box.get(table, KEY).get("l")));
  }

  /**
   * Developer guide, "Using update expressions", SET: an element past the end is appended, and "if
   * you add multiple elements in a single SET operation, the elements are sorted in order by element
   * number", whatever the order of the actions.
   */
  @ConformanceTest
  void elementsAppendedByOneSetGoInTheOrderOfTheirIndexes(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "l", list(n(0), n(1))));
    box.db.updateItem(update(table, "SET l[3] = :three, l[2] = :two", ":three", s("3"), ":two", s("2")));
    assertEquals(list(n(0), n(1), s("2"), s("3")), box.get(table, KEY).get("l"));
    box.put(table, item("pk", s("a"), "l", list(n(0), n(1))));
    box.db.updateItem(update(table, "SET l[9] = :nine, l[5] = :five", ":nine", s("9"), ":five", s("5")));
    box.documented(Departure.LIST_SET_PAST_THE_END_PADS_WITH_NULLS,
        () -> assertEquals(list(n(0), n(1), s("5"), s("9")), box.get(table, KEY).get("l")),
        () -> assertEquals(list(n(0), n(1), nul(), nul(), nul(), s("5"), nul(), nul(), nul(), s("9")),
            box.get(table, KEY).get("l")));
  }

  @ConformanceTest
  void removeDropsAttributesElementsAndMapKeys(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "x", s("x"), "l", list(n(0), n(1), n(2)), "m", map("k", n(1), "j", n(2))));
    box.db.updateItem(update(table, "REMOVE x, l[0], m.k, nothere"));
    assertEquals(item("pk", s("a"), "l", list(n(1), n(2)), "m", map("j", n(2))), box.get(table, KEY),
        "removing a list element shifts the rest down");
  }

  /**
   * Developer guide, "Using update expressions", REMOVE, removing elements from a list: "REMOVE
   * RelatedItems[1], RelatedItems[2]" removes the elements at 1 and 2 of the list as it is, not the
   * element at 2 of the list left by the first removal.
   */
  @ConformanceTest
  void removingSeveralElementsNamesThemInTheListAsItWas(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "l", list(n(0), n(1), n(2), n(3)), "m", map("l", list(n(0), n(1), n(2)))));
    box.db.updateItem(update(table, "REMOVE l[1], l[2], m.l[0], m.l[1]"));
    box.documented(Departure.REMOVED_LIST_ELEMENTS_SHIFT_THE_NEXT_INDEXES,
        () -> assertEquals(item("pk", s("a"), "l", list(n(0), n(3)), "m", map("l", list(n(2)))), box.get(table, KEY)),
        () -> assertEquals(item("pk", s("a"), "l", list(n(0), n(2)), "m", map("l", list(n(1)))), box.get(table, KEY)));
    box.put(table, item("pk", s("a"), "l", list(n(0), n(1), n(2), n(3))));
    box.db.updateItem(update(table, "REMOVE l[2], l[0]"));
    assertEquals(item("pk", s("a"), "l", list(n(1), n(3))), box.get(table, KEY));
  }

  @ConformanceTest
  void addAndDeleteWorkOnNumbersAndSets(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "count", n(5), "tags", ss("x", "y")));
    box.db.updateItem(update(table, "ADD #c :three, fresh :three, tags :more, nums :nums",
        ":three", n(3), ":more", ss("y", "z"), ":nums", ns("1", "2")).withExpressionAttributeNames(Map.of("#c", "count")));
    Map<String, AttributeValue> added = box.get(table, KEY);
    assertEquals("8", added.get("count").getN());
    assertEquals("3", added.get("fresh").getN(), "ADD to a missing number starts from 0");
    assertEquals(Set.of("x", "y", "z"), new HashSet<>(added.get("tags").getSS()));
    assertEquals(Set.of("1", "2"), new HashSet<>(added.get("nums").getNS()));

    box.db.updateItem(update(table, "DELETE tags :gone, nums :all", ":gone", ss("x", "absent"), ":all", ns("1", "2")));
    Map<String, AttributeValue> deleted = box.get(table, KEY);
    assertEquals(Set.of("y", "z"), new HashSet<>(deleted.get("tags").getSS()));
    assertNull(deleted.get("nums"), "a set emptied by DELETE is removed, as no set may be empty");
  }

  /**
   * A number set holds numbers, equal by value ("1.0" is 1: developer guide, "Supported data types",
   * leading and trailing zeroes trimmed; each value of a set unique): ADD of 1.0 to a set holding 1
   * adds nothing new, DELETE of 2.00 takes 2 out.
   */
  @ConformanceTest
  void addAndDeleteMatchSetNumbersByValue(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "nums", ns("1", "2")));
    UpdateItemRequest add = update(table, "ADD nums :more", ":more", ns("1.0", "3"));
    UpdateItemRequest delete = update(table, "DELETE nums :gone", ":gone", ns("2.00"));
    box.documented(Departure.SET_NUMBERS_MATCHED_AS_TEXT, () -> {
      box.db.updateItem(add);
      box.db.updateItem(delete);
      assertEquals(Set.of("1", "3"), new HashSet<>(box.get(table, KEY).get("nums").getNS()));
    }, () -> {
      validation(() -> box.db.updateItem(add));
      box.db.updateItem(delete);
      assertEquals(Set.of("1", "2"), new HashSet<>(box.get(table, KEY).get("nums").getNS()));
    });
  }

  @ConformanceTest
  void returnValuesNameTheOldOrNewAttributes(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "x", n(1), "y", n(1)));
    assertNull(box.db.updateItem(update(table, "SET x = :v", ":v", n(2))).getAttributes());
    assertEquals(item("x", n(2)), box.db.updateItem(update(table, "SET x = :v", ":v", n(3))
        .withReturnValues(ReturnValue.UPDATED_OLD)).getAttributes());
    assertEquals(item("x", n(4), "z", n(4)), box.db.updateItem(update(table, "SET x = :v, z = :v", ":v", n(4))
        .withReturnValues(ReturnValue.UPDATED_NEW)).getAttributes());
    assertEquals(item("pk", s("a"), "x", n(4), "y", n(1), "z", n(4)), box.db.updateItem(update(table, "REMOVE z")
        .withReturnValues(ReturnValue.ALL_OLD)).getAttributes());
    assertEquals(item("pk", s("a"), "x", n(5), "y", n(1)), box.db.updateItem(update(table, "SET x = :v", ":v", n(5))
        .withReturnValues(ReturnValue.ALL_NEW)).getAttributes());
  }

  @ConformanceTest
  void oldAttributesOfAnUpdateThatCreatesTheItemAreNone(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    UpdateItemRequest creating = update(table, "SET x = :v", ":v", n(1)).withReturnValues(ReturnValue.ALL_OLD);
    box.documented(Departure.ALL_OLD_OF_AN_UPDATE_THAT_CREATES_THE_ITEM_IS_ITS_KEY,
        () -> assertNull(box.db.updateItem(creating).getAttributes()),
        () -> assertEquals(KEY, box.db.updateItem(creating).getAttributes()));
    assertNull(box.db.updateItem(update(table, "SET y = :v", ":v", n(1)).withKey(item("pk", s("new")))
        .withReturnValues(ReturnValue.UPDATED_OLD)).getAttributes());
  }

  @ConformanceTest
  void failedConditionChangesNothing(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "version", n(1)));
    assertThrows(ConditionalCheckFailedException.class, () -> box.db.updateItem(
        update(table, "SET version = :two", ":two", n(2), ":two", n(2)).withConditionExpression("version = :two")));
    assertEquals(item("pk", s("a"), "version", n(1)), box.get(table, KEY));
    assertThrows(ConditionalCheckFailedException.class, () -> box.db.updateItem(new UpdateItemRequest()
        .withTableName(table).withKey(item("pk", s("b"))).withUpdateExpression("SET v = :v")
        .withConditionExpression("attribute_exists(pk)").withExpressionAttributeValues(item(":v", n(1)))));
    assertNull(box.get(table, item("pk", s("b"))), "a refused update creates no item");
    box.db.updateItem(update(table, "SET version = version + :one", ":one", n(1)).withConditionExpression("version = :one"));
    assertEquals(n(2), box.get(table, KEY).get("version"));
  }

  @ConformanceTest
  void arithmeticKeepsThirtyEightDigitsAndRefusesMore(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "n", n("1E+19")));
    box.db.updateItem(update(table, "SET n = n + :small", ":small", n("0.000000000000000001")));
    assertEquals(0, new java.math.BigDecimal("10000000000000000000.000000000000000001")
        .compareTo(new java.math.BigDecimal(box.get(table, KEY).get("n").getN())));
    validation(() -> box.db.updateItem(update(table, "SET n = n + :tiny", ":tiny", n("1E-30"))));
    validation(() -> box.db.updateItem(update(table, "SET n = n + :huge", ":huge", n("9.9999999999999999999999999999999999999E+125"))
        .withConditionExpression("attribute_exists(n)")));
  }

  @ConformanceTest
  void refusesWhatCannotBeUpdated(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "str", s("x"), "num", n(1), "m", map()));
    List<UpdateItemRequest> refused = List.of(
        update(table, "SET pk = :v", ":v", s("b")),
        update(table, "SET num = :v REMOVE num", ":v", n(2)),
        update(table, "SET m.a = :v, m.a.b = :v", ":v", n(2)),
        update(table, "ADD str :v", ":v", n(1)),
        update(table, "SET num = str + :v", ":v", n(1)),
        update(table, "SET nothere.x = :v", ":v", n(1)),
        update(table, "SET str = list_append(str, :v)", ":v", list(n(1))),
        update(table, "ADD tags :v", ":v", new AttributeValue().withSS(List.of())),
        update(table, "DELETE num :v", ":v", ns("1")),
        update(table, "SET num = :v SET str = :v", ":v", n(1)),
        update(table, "SET num = :v", ":v", n(1), ":unused", n(2)),
        update(table, "SET num = nothere + :v", ":v", n(1)),
        update(table, "REMOVE pk"),
        update(table, "ADD m :v", ":v", n(1)),
        update(table, "ADD m :v", ":v", list(n(1))),
        update(table, "DELETE str :v", ":v", ss("x")),
        update(table, "SET num = size(str)"),
        update(table, "SET data = :v", ":v", n(1)));
    for (UpdateItemRequest request : refused) {
      validation(() -> box.db.updateItem(request), request::getUpdateExpression);
    }
    assertEquals(item("pk", s("a"), "str", s("x"), "num", n(1), "m", map()), box.get(table, KEY));
  }
}
