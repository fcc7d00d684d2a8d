package io.parley.store.expr;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.Requests;
import io.parley.store.model.StoreException;
import java.util.List;
import java.util.Map;

/**
 * Parses the expressions of one request against its placeholders. Call {@link #finish()} after
 * the last one: it refuses placeholders that no expression used, as DynamoDB does.
 */
public final class Expressions {
  private final Placeholders placeholders;
  private final boolean declared;

  public Expressions(Requests.Placeholders declared) {
    Requests.Placeholders given = declared == null ? Requests.Placeholders.NONE : declared;
    this.placeholders = new Placeholders(given.names(), given.values());
    this.declared = given.names() != null || given.values() != null;
  }

  public Expressions(Map<String, String> names, Map<String, AttributeValue> values) {
    this(new Requests.Placeholders(names, values));
  }

  /** A ConditionExpression, FilterExpression or KeyConditionExpression, or null if absent. */
  public Ast.Condition condition(String kind, String text) {
    if (text == null) {
      return null;
    }
    Ast.Condition condition = new Parser(kind, text, placeholders).wholeCondition();
    checkOrderedOperands(kind, condition);
    return condition;
  }

  private static final java.util.Set<String> ORDERED_TYPES = java.util.Set.of("S", "N", "B");

  /**
   * Ordering comparisons and BETWEEN take values of S, N or B only, and BETWEEN's two bounds one
   * type, as DynamoDB checks up front.
   */
  private static void checkOrderedOperands(String kind, Ast.Condition condition) {
    if (condition instanceof Ast.And and) {
      checkOrderedOperands(kind, and.left());
      checkOrderedOperands(kind, and.right());
    } else if (condition instanceof Ast.Or or) {
      checkOrderedOperands(kind, or.left());
      checkOrderedOperands(kind, or.right());
    } else if (condition instanceof Ast.Not not) {
      checkOrderedOperands(kind, not.condition());
    } else if (condition instanceof Ast.Compare compare && compare.comparator() != Ast.Comparator.EQ
        && compare.comparator() != Ast.Comparator.NE) {
      checkOrdered(kind, compare.comparator().symbol, compare.left());
      checkOrdered(kind, compare.comparator().symbol, compare.right());
    } else if (condition instanceof Ast.Between between) {
      checkOrdered(kind, "BETWEEN", between.operand());
      checkOrdered(kind, "BETWEEN", between.lower());
      checkOrdered(kind, "BETWEEN", between.upper());
      if (between.lower() instanceof Ast.ValueOperand lower && between.upper() instanceof Ast.ValueOperand upper
          && !lower.value().type().equals(upper.value().type())) {
        throw StoreException.validation("Invalid " + kind + ": The BETWEEN operator requires same data type for lower"
            + " and upper bounds; lower bound operand: " + lower.value().type() + ", upper bound operand: "
            + upper.value().type());
      }
    }
  }

  private static void checkOrdered(String kind, String operator, Ast.Operand operand) {
    if (operand instanceof Ast.ValueOperand value && !ORDERED_TYPES.contains(value.value().type())) {
      throw StoreException.validation("Invalid " + kind + ": Incorrect operand type for operator or function;"
          + " operator: " + operator + ", operand type: " + value.value().type());
    }
  }

  public Ast.Update update(String text) {
    if (text == null) {
      return null;
    }
    Ast.Update update = new Parser("UpdateExpression", text, placeholders).wholeUpdate();
    refuseOverlaps("UpdateExpression", update.paths());
    return update;
  }

  /** A ProjectionExpression's paths, none of which may overlap another, or null if absent. */
  public List<Path> projection(String text) {
    if (text == null) {
      return null;
    }
    List<Path> paths = new Parser("ProjectionExpression", text, placeholders).wholeProjection();
    refuseOverlaps("ProjectionExpression", paths);
    return paths;
  }

  private static void refuseOverlaps(String kind, List<Path> paths) {
    for (int i = 0; i < paths.size(); i++) {
      for (int j = i + 1; j < paths.size(); j++) {
        if (paths.get(i).overlaps(paths.get(j))) {
          throw StoreException.validation("Invalid " + kind + ": Two document paths overlap with each other;"
              + " must remove or rewrite one of these paths; path one: [" + paths.get(i) + "], path two: ["
              + paths.get(j) + "]");
        }
      }
    }
  }

  /** Refuses placeholders declared without any expression, or declared and not used. */
  public void finish(boolean anyExpression) {
    if (declared && !anyExpression) {
      throw StoreException.validation(
          "ExpressionAttributeNames and ExpressionAttributeValues can only be specified when using expressions");
    }
    placeholders.checkAllUsed();
  }
}
