package io.parley.store.conformance;

import static io.parley.store.conformance.Values.map;
import static io.parley.store.conformance.Values.n;
import static io.parley.store.conformance.Values.s;
import static io.parley.store.conformance.Values.ss;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.UpdateItemRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@link RandomOperations}' shapes on a document attribute {@code d} = {x: N, l: [S, N, {c: N}, ...],
 * s: SS}: updates through map keys and list indexes, projections and conditions on nested paths.
 * Each update carries the condition that makes its path valid, so that it is refused, if at all,
 * by a failed condition. Updates through a list index ask for NONE or ALL_NEW only: which part of
 * a list UPDATED_OLD and UPDATED_NEW return, AWS does not document.
 */
final class DocumentOperations {
  private DocumentOperations() {}

  static final List<String> PROJECTIONS = List.of("v, t, s, l[0]", "d.l[1], d.x, d.l[0], d.l[2].c", "d.l[3], d.s, d.l[2]", "d");
  static final List<String> CONDITIONS = List.of("size(d.l) > :one", "d.x BETWEEN :c AND :c2", "contains(d.s, :x)",
      "attribute_type(d.l[2], :M)", "d.l[0] = :p", "d.l[1] < :c2 OR NOT attribute_exists(d.l[3])");
  static final List<String> FILTERS = List.of("v > :f", "d.x > :f", "size(d.l) > :f", "d.l[1] >= :f");

  private record Shape(String update, String guard, boolean throughList) {}

  private static final List<Shape> UPDATES = List.of(
      new Shape("SET d.x = d.x + :d", "attribute_exists(d.x)", false),
      new Shape("SET d.l[1] = :t", "attribute_exists(d.l[1])", true),
      // Later index first: in the other order dynoxide departs (Departure.REMOVED_LIST_ELEMENTS_SHIFT_THE_NEXT_INDEXES).
      new Shape("REMOVE d.l[2], d.l[0]", null, true),
      new Shape("REMOVE d.l[1]", null, true),
      new Shape("SET d.l = list_append(d.l, :l)", "attribute_exists(d.l)", false),
      new Shape("SET d.l[2].c = :d", "attribute_type(d.l[2], :M)", true),
      new Shape("SET d.l[2].c = d.l[2].c + :d, d.l[0] = :t", "attribute_exists(d.l[2].c)", true),
      new Shape("ADD d.s :set", "attribute_exists(d)", false),
      new Shape("DELETE d.s :set", "attribute_exists(d)", false),
      new Shape("SET d = :doc", null, false),
      new Shape("SET d.y = if_not_exists(d.y, :d), d.x = :d", "attribute_exists(d)", false),
      new Shape("REMOVE d.nothere, d.x", null, false));

  static AttributeValue document(Random random) {
    List<AttributeValue> list = new ArrayList<>(List.of(s("t" + random.nextInt(3)), n(random.nextInt(10)),
        map("c", n(random.nextInt(5)))));
    if (random.nextBoolean()) {
      list.add(s("tail"));
    }
    return map("x", n(random.nextInt(10)), "l", new AttributeValue().withL(list), "s", ss("x", "z"));
  }

  /** An update of {@code d} with {@code values} (:d, :t, :l, :set) and the values it adds itself. */
  static UpdateItemRequest update(Random random, String table, Map<String, AttributeValue> key,
      Map<String, AttributeValue> values) {
    Shape shape = UPDATES.get(random.nextInt(UPDATES.size()));
    Map<String, AttributeValue> all = new HashMap<>(values);
    all.put(":doc", document(random));
    all.put(":M", s("M"));
    Map<String, AttributeValue> used = RandomOperations.usedValues(shape.update() + " " + shape.guard(), all);
    List<String> returnValues = shape.throughList() ? List.of("NONE", "ALL_NEW")
        : List.of("NONE", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW");
    return new UpdateItemRequest().withTableName(table).withKey(key).withUpdateExpression(shape.update())
        .withConditionExpression(shape.guard()).withExpressionAttributeValues(used.isEmpty() ? null : used)
        .withReturnValues(returnValues.get(random.nextInt(returnValues.size())));
  }
}
