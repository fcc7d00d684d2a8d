package io.parley.store.expr;

import io.parley.store.model.AttributeValue;
import java.util.List;

/** The parsed forms of DynamoDB's expression languages. */
public final class Ast {
  private Ast() {}

  /** Something that yields a value from an item: a path, a value placeholder, or size(path). */
  public sealed interface Operand {}

  public record PathOperand(Path path) implements Operand {}

  public record ValueOperand(String placeholder, AttributeValue value) implements Operand {}

  public record SizeOperand(Path path) implements Operand {}

  /** A condition (ConditionExpression, FilterExpression, KeyConditionExpression). */
  public sealed interface Condition {}

  public enum Comparator {
    EQ("="), NE("<>"), LT("<"), LE("<="), GT(">"), GE(">=");

    public final String symbol;

    Comparator(String symbol) {
      this.symbol = symbol;
    }
  }

  public record Compare(Comparator comparator, Operand left, Operand right) implements Condition {}

  public record Between(Operand operand, Operand lower, Operand upper) implements Condition {}

  public record In(Operand operand, List<Operand> candidates) implements Condition {}

  public record And(Condition left, Condition right) implements Condition {}

  public record Or(Condition left, Condition right) implements Condition {}

  public record Not(Condition condition) implements Condition {}

  public record Exists(Path path) implements Condition {}

  public record NotExists(Path path) implements Condition {}

  public record TypeIs(Path path, Operand type) implements Condition {}

  public record BeginsWith(Path path, Operand prefix) implements Condition {}

  public record Contains(Path path, Operand part) implements Condition {}

  /** The right-hand side of a SET action. */
  public sealed interface SetValue {}

  public record Plain(Operand operand) implements SetValue {}

  public record Plus(SetValue left, SetValue right) implements SetValue {}

  public record Minus(SetValue left, SetValue right) implements SetValue {}

  public record IfNotExists(Path path, SetValue fallback) implements SetValue {}

  public record ListAppend(SetValue first, SetValue second) implements SetValue {}

  public record SetAction(Path path, SetValue value) {}

  /** An ADD or DELETE action: a path and the value to add to it or take from it. */
  public record ValueAction(Path path, ValueOperand value) {}

  public record Update(List<SetAction> sets, List<Path> removes, List<ValueAction> adds,
      List<ValueAction> deletes) {
    /** Every path this update writes, in the order of the expression. */
    public List<Path> paths() {
      var paths = new java.util.ArrayList<Path>();
      sets.forEach(set -> paths.add(set.path()));
      paths.addAll(removes);
      adds.forEach(add -> paths.add(add.path()));
      deletes.forEach(delete -> paths.add(delete.path()));
      return paths;
    }
  }
}
