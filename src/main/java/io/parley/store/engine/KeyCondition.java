package io.parley.store.engine;

import io.parley.store.expr.Ast;
import io.parley.store.expr.Ast.And;
import io.parley.store.expr.Ast.BeginsWith;
import io.parley.store.expr.Ast.Between;
import io.parley.store.expr.Ast.Compare;
import io.parley.store.expr.Ast.Comparator;
import io.parley.store.expr.Ast.PathOperand;
import io.parley.store.expr.Ast.ValueOperand;
import io.parley.store.expr.Values;
import io.parley.store.model.AttributeValue;
import io.parley.store.model.StoreException;
import java.util.ArrayList;
import java.util.List;

/**
 * A KeyConditionExpression as bounds on the encoded key: the hash key's value, and the range
 * key's lower and upper bounds (each inclusive or not, or absent).
 */
record KeyCondition(byte[] hash, byte[] lower, boolean lowerInclusive, byte[] upper, boolean upperInclusive) {

  static KeyCondition of(Ast.Condition condition, Table.KeyDef key) {
    List<Ast.Condition> parts = new ArrayList<>();
    if (condition instanceof And and) {
      parts.add(and.left());
      parts.add(and.right());
    } else {
      parts.add(condition);
    }
    byte[] hash = null;
    Ast.Condition onRange = null;
    for (Ast.Condition part : parts) {
      String name = attribute(part);
      if (name.equals(key.hashName()) && hash == null) {
        if (!(part instanceof Compare compare) || compare.comparator() != Comparator.EQ) {
          throw invalid("Query key condition not supported");
        }
        hash = bytes(value(compare.right()), key.hashType(), name);
      } else if (key.hasRange() && name.equals(key.rangeName()) && onRange == null) {
        onRange = part;
      } else if (key.isKey(name)) {
        throw invalid("KeyConditionExpressions must only contain one condition per key");
      } else {
        throw invalid("Query condition missed key schema element: " + key.hashName());
      }
    }
    if (hash == null) {
      throw invalid("Query condition missed key schema element: " + key.hashName());
    }
    if (onRange == null) {
      return new KeyCondition(hash, null, false, null, false);
    }
    String type = key.rangeType();
    String range = key.rangeName();
    if (onRange instanceof Between between) {
      AttributeValue low = value(between.lower());
      AttributeValue high = value(between.upper());
      bytes(low, type, range);
      bytes(high, type, range);
      if (Values.compare(low, high) > 0) {
        throw invalid("The BETWEEN operator requires upper bound to be greater than or equal to lower bound;"
            + " lower operand: " + low + ", upper operand: " + high);
      }
      return new KeyCondition(hash, KeyBytes.of(low), true, KeyBytes.of(high), true);
    }
    if (onRange instanceof BeginsWith beginsWith) {
      if (type.equals("N")) {
        throw invalid("Invalid operand type for operator or function; operator or function: begins_with, operand type: N");
      }
      byte[] prefix = bytes(value(beginsWith.prefix()), type, range);
      return new KeyCondition(hash, prefix, true, KeyBytes.prefixEnd(prefix), false);
    }
    if (!(onRange instanceof Compare compare) || compare.comparator() == Comparator.NE) {
      throw invalid("Unsupported operator on KeyConditionExpression");
    }
    byte[] bound = bytes(value(compare.right()), type, range);
    return switch (compare.comparator()) {
      case EQ -> new KeyCondition(hash, bound, true, bound, true);
      case LT -> new KeyCondition(hash, null, false, bound, false);
      case LE -> new KeyCondition(hash, null, false, bound, true);
      case GT -> new KeyCondition(hash, bound, false, null, false);
      default -> new KeyCondition(hash, bound, true, null, false);
    };
  }

  /** The one attribute a key condition part is about. */
  private static String attribute(Ast.Condition part) {
    Ast.Operand operand;
    if (part instanceof Compare compare) {
      operand = compare.left();
    } else if (part instanceof Between between) {
      operand = between.operand();
    } else if (part instanceof BeginsWith beginsWith) {
      return single(beginsWith.path());
    } else {
      throw invalid("Invalid operator used in KeyConditionExpression: "
          + part.getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT));
    }
    if (!(operand instanceof PathOperand path)) {
      throw invalid("Invalid condition in KeyConditionExpression: the left operand must be a key attribute");
    }
    return single(path.path());
  }

  private static String single(io.parley.store.expr.Path path) {
    if (path.size() != 1) {
      throw invalid("KeyConditionExpressions cannot contain nested attributes: " + path);
    }
    return path.topName();
  }

  private static AttributeValue value(Ast.Operand operand) {
    if (!(operand instanceof ValueOperand value)) {
      throw invalid("The right operand of a key condition must be an expression attribute value");
    }
    return value.value();
  }

  /**
   * A key condition's value as key bytes. It may not be an empty string or binary, as a key may not
   * (a string may be empty only where it is no key): DynamoDB refuses it, even in begins_with.
   */
  private static byte[] bytes(AttributeValue value, String type, String name) {
    if (!value.type().equals(type)) {
      throw StoreException.validation("One or more parameter values were invalid: Condition parameter type does not match schema type");
    }
    byte[] bytes = KeyBytes.of(value);
    if (!type.equals("N") && bytes.length == 0) {
      throw Table.emptyKeyValue(type, name);
    }
    return bytes;
  }

  private static StoreException invalid(String why) {
    return StoreException.validation("Invalid KeyConditionExpression: " + why);
  }
}
