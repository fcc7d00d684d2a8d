package io.parley.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.store.expr.Ast;
import io.parley.store.expr.Conditions;
import io.parley.store.expr.Expressions;
import io.parley.store.expr.Path;
import io.parley.store.model.AttributeValue;
import io.parley.store.model.StoreException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The expression grammar: what parses, what it means, and what is refused. */
class ExpressionParserTest {
  private static final Map<String, AttributeValue> ITEM = Map.of(
      "a", AttributeValue.n(5),
      "s", AttributeValue.s("hello"),
      "tags", new AttributeValue.SS(Set.of("x", "y")),
      "doc", new AttributeValue.M(Map.of("xs", new AttributeValue.L(List.of(AttributeValue.n(1),
          new AttributeValue.M(Map.of("c", AttributeValue.s("deep"))))))),
      "nothing", new AttributeValue.Null());

  private static boolean holds(String condition, Object... values) {
    Map<String, AttributeValue> placeholders = new HashMap<>();
    for (int i = 0; i < values.length; i += 2) {
      Object value = values[i + 1];
      placeholders.put((String) values[i], value instanceof AttributeValue v ? v
          : value instanceof Integer n ? AttributeValue.n(n) : AttributeValue.s((String) value));
    }
    Expressions expressions = new Expressions(Map.of("#d", "doc", "#size", "size"), placeholders.isEmpty() ? null : placeholders);
    Ast.Condition parsed = expressions.condition("ConditionExpression", condition.replace("NAMES", "#d.xs[1].c"));
    // Unused #d/#size are fine here: this test is about conditions, not about unused names.
    return Conditions.holds(parsed, ITEM);
  }

  @Test
  void comparisonsAndLogic() {
    assertTrue(holds("a = :five", ":five", 5));
    assertTrue(holds("a <> :six", ":six", 6));
    assertTrue(holds("absent <> :six", ":six", 6));
    assertFalse(holds("absent = :six", ":six", 6));
    assertTrue(holds("a < :six AND a >= :five", ":six", 6, ":five", 5));
    assertTrue(holds("a > :six OR NOT (a > :six)", ":six", 6));
    assertFalse(holds("a < :s", ":s", "z"), "different types do not compare");
    assertTrue(holds("a BETWEEN :lo AND :hi", ":lo", 1, ":hi", 5));
    assertTrue(holds("a IN (:x, :y, :five)", ":x", 1, ":y", 2, ":five", 5));
    assertTrue(holds("NOT a = :x AND (a = :five OR a = :x)", ":x", 1, ":five", 5), "NOT binds tighter than AND");
    assertTrue(holds("a = :x OR a = :five AND s = :s", ":x", 1, ":five", 5, ":s", "hello"), "AND binds tighter than OR");
  }

  @Test
  void functionsAndNestedPaths() {
    assertTrue(holds("attribute_exists(NAMES) AND attribute_not_exists(#d.xs[5])"));
    assertTrue(holds("begins_with(s, :p)", ":p", "hel"));
    assertTrue(holds("contains(tags, :t) AND contains(s, :sub)", ":t", "x", ":sub", "ell"));
    assertTrue(holds("attribute_type(nothing, :null)", ":null", "NULL"));
    assertTrue(holds("size(s) = :five AND size(tags) < :five", ":five", 5));
    assertTrue(holds("#d.xs[1].c = :deep", ":deep", "deep"));
  }

  @Test
  void syntaxErrorsAreValidationErrors() {
    for (String bad : List.of("a = ", "a == :x", "(a = :x", "a = :x)", "a BETWEEN :x", "a IN ()", "AND a = :x",
        "unknown_function(a)", "a = :x :x", "a.#", "a[x] = :x", "size(a)", "a = :x AND", "")) {
      StoreException refused = assertThrows(StoreException.class, () -> holds(bad, ":x", 1), bad);
      assertEquals(StoreException.Code.ValidationException, refused.code(), bad);
    }
  }

  /**
   * Within the 4 KB limit, 2,000 nested parentheses once overflowed the parser's stack: a
   * StackOverflowError on the caller's thread instead of an answer. Run on a thread with half the
   * usual stack (1 MB), so that the test does not depend on the one it is given.
   */
  @Test
  void deepNestingIsAValidationErrorNotAStackOverflow() throws Exception {
    String wrapped = "(".repeat(2040) + "a = :five" + ")".repeat(2040);
    String negated = "NOT ".repeat(1000) + "a = :five";
    for (String deep : List.of(wrapped, negated)) {
      Object answer = onASmallStack(() -> holds(deep, ":five", 5));
      assertTrue(answer instanceof StoreException refused && refused.code() == StoreException.Code.ValidationException
          && refused.getMessage().contains("more than 300 deep"), String.valueOf(answer));
    }

    // As boto3 writes a chain of ANDs: ((c AND c) AND c) AND c … 250 groups deep, within 4 KB.
    String chained = "a = :five";
    for (int i = 0; i < 250; i++) {
      chained = "(" + chained + " AND a<s)";
    }
    String boto3 = chained;
    assertTrue(boto3.length() < 4096);
    assertEquals(false, onASmallStack(() -> holds(boto3, ":five", 5)), "a number is not less than a string");

    String nots = "NOT ".repeat(200) + "a = :five";
    assertEquals(true, onASmallStack(() -> holds(nots, ":five", 5)), "an even number of NOTs");
  }

  private static Object onASmallStack(java.util.function.Supplier<Object> work) throws InterruptedException {
    Object[] answer = new Object[1];
    Thread thread = new Thread(null, () -> {
      try {
        answer[0] = work.get();
      } catch (Throwable thrown) {
        answer[0] = thrown;
      }
    }, "small-stack", 512 * 1024);
    thread.start();
    thread.join();
    return answer[0];
  }

  @Test
  void orderingNeedsScalarOperandsAndSizeOfAnUnsizedValueIsFalse() {
    StoreException list = assertThrows(StoreException.class,
        () -> holds("a < :l", ":l", new AttributeValue.L(List.of())));
    assertTrue(list.getMessage().contains("operand type: L"), list.getMessage());
    assertFalse(holds("size(a) > :n", ":n", 1), "a stored number has no size: false, not an error");
    assertFalse(holds("size(absent) > :n", ":n", 1));
  }

  @Test
  void reservedWordsNeedPlaceholders() {
    StoreException refused = assertThrows(StoreException.class, () -> holds("size > :x", ":x", 1));
    assertTrue(refused.getMessage().contains("reserved keyword: size"), refused.getMessage());
    assertThrows(StoreException.class, () -> holds("Status = :x", ":x", 1), "reserved words are case-insensitive");
  }

  @Test
  void updateAndProjectionGrammar() {
    Expressions expressions = new Expressions(Map.of("#n", "name"), Map.of(":v", AttributeValue.n(1),
        ":l", new AttributeValue.L(List.of())));
    Ast.Update update = expressions.update(
        "SET a = a + :v, b = list_append(if_not_exists(b, :l), :l), #n = :v REMOVE c, d[2] ADD e :v DELETE f :l");
    assertEquals(3, update.sets().size());
    assertEquals(List.of(Path.of("c"), new Path(List.of("d", 2))), update.removes());
    assertEquals(1, update.adds().size());
    assertEquals(1, update.deletes().size());
    expressions.finish(true);
    assertEquals(List.of(Path.of("a"), new Path(List.of("b", "c", 0, "d"))),
        new Expressions(null, null).projection("a, b.c[0].d"));
    assertThrows(StoreException.class, () -> new Expressions(null, Map.of(":v", AttributeValue.n(1))).update("SET a = :v SET b = :v"));
    assertThrows(StoreException.class, () -> new Expressions(null, Map.of(":v", AttributeValue.n(1))).update("PUT a = :v"));
  }

  @Test
  void unusedAndUndefinedPlaceholdersAreRefused() {
    Expressions unused = new Expressions(Map.of("#a", "a", "#b", "b"), null);
    unused.condition("ConditionExpression", "attribute_exists(#a)");
    StoreException refused = assertThrows(StoreException.class, () -> unused.finish(true));
    assertTrue(refused.getMessage().contains("#b"), refused.getMessage());
    assertThrows(StoreException.class, () -> new Expressions(null, null).condition("ConditionExpression", "a = :undefined"));
    assertThrows(StoreException.class, () -> new Expressions(Map.of(), null));
  }
}
