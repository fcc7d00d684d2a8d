package io.parley.store.expr;

import io.parley.store.expr.Ast.And;
import io.parley.store.expr.Ast.BeginsWith;
import io.parley.store.expr.Ast.Between;
import io.parley.store.expr.Ast.Compare;
import io.parley.store.expr.Ast.Condition;
import io.parley.store.expr.Ast.Contains;
import io.parley.store.expr.Ast.Exists;
import io.parley.store.expr.Ast.In;
import io.parley.store.expr.Ast.Not;
import io.parley.store.expr.Ast.NotExists;
import io.parley.store.expr.Ast.Operand;
import io.parley.store.expr.Ast.Or;
import io.parley.store.expr.Ast.PathOperand;
import io.parley.store.expr.Ast.SizeOperand;
import io.parley.store.expr.Ast.TypeIs;
import io.parley.store.expr.Ast.ValueOperand;
import io.parley.store.model.AttributeValue;
import io.parley.store.model.AttributeValue.B;
import io.parley.store.model.AttributeValue.BS;
import io.parley.store.model.AttributeValue.L;
import io.parley.store.model.AttributeValue.M;
import io.parley.store.model.AttributeValue.N;
import io.parley.store.model.AttributeValue.NS;
import io.parley.store.model.AttributeValue.S;
import io.parley.store.model.AttributeValue.SS;
import io.parley.store.model.StoreException;
import java.util.Map;
import java.util.Set;

/** Evaluates a condition against an item (null or empty for an item that does not exist). */
public final class Conditions {
  private Conditions() {}

  private static final Set<String> TYPES = Set.of("S", "N", "B", "SS", "NS", "BS", "BOOL", "NULL", "L", "M");

  public static boolean holds(Condition condition, Map<String, AttributeValue> item) {
    Map<String, AttributeValue> it = item == null ? Map.of() : item;
    if (condition instanceof And and) {
      return holds(and.left(), it) && holds(and.right(), it);
    } else if (condition instanceof Or or) {
      return holds(or.left(), it) || holds(or.right(), it);
    } else if (condition instanceof Not not) {
      return !holds(not.condition(), it);
    } else if (condition instanceof Exists exists) {
      return Documents.get(it, exists.path()) != null;
    } else if (condition instanceof NotExists notExists) {
      return Documents.get(it, notExists.path()) == null;
    } else if (condition instanceof TypeIs typeIs) {
      return typeIs(typeIs, it);
    } else if (condition instanceof BeginsWith beginsWith) {
      return beginsWith(beginsWith, it);
    } else if (condition instanceof Contains contains) {
      return contains(contains, it);
    } else if (condition instanceof Compare compare) {
      return compare(compare, it);
    } else if (condition instanceof Between between) {
      return between(between, it);
    }
    return in((In) condition, it);
  }

  private static boolean typeIs(TypeIs typeIs, Map<String, AttributeValue> item) {
    AttributeValue type = value(typeIs.type(), item);
    if (!(type instanceof S name) || !TYPES.contains(name.value())) {
      throw StoreException.validation("Invalid ConditionExpression: Invalid attribute type name found; type: "
          + (type instanceof S s ? s.value() : String.valueOf(type)) + ", valid types: " + TYPES);
    }
    AttributeValue value = Documents.get(item, typeIs.path());
    return value != null && value.type().equals(name.value());
  }

  private static boolean beginsWith(BeginsWith beginsWith, Map<String, AttributeValue> item) {
    AttributeValue prefix = value(beginsWith.prefix(), item);
    if (beginsWith.prefix() instanceof ValueOperand && !(prefix instanceof S || prefix instanceof B)) {
      throw StoreException.validation("Invalid ConditionExpression: Incorrect operand type for operator or function;"
          + " operator or function: begins_with, operand type: " + prefix.type());
    }
    AttributeValue value = Documents.get(item, beginsWith.path());
    if (value instanceof S s && prefix instanceof S p) {
      return s.value().startsWith(p.value());
    }
    if (value instanceof B b && prefix instanceof B p) {
      return b.value().startsWith(p.value());
    }
    return false;
  }

  private static boolean contains(Contains contains, Map<String, AttributeValue> item) {
    AttributeValue part = value(contains.part(), item);
    AttributeValue value = Documents.get(item, contains.path());
    if (value == null || part == null) {
      return false;
    }
    if (value instanceof S s) {
      return part instanceof S p && s.value().contains(p.value());
    } else if (value instanceof B b) {
      return part instanceof B p && b.value().contains(p.value());
    } else if (value instanceof SS ss) {
      return part instanceof S p && ss.values().contains(p.value());
    } else if (value instanceof NS ns) {
      return part instanceof N p && ns.values().contains(p.value());
    } else if (value instanceof BS bs) {
      return part instanceof B p && bs.values().contains(p.value());
    } else if (value instanceof L list) {
      return list.values().contains(part);
    }
    return false;
  }

  private static boolean compare(Compare compare, Map<String, AttributeValue> item) {
    AttributeValue left = value(compare.left(), item);
    AttributeValue right = value(compare.right(), item);
    switch (compare.comparator()) {
      case EQ:
        return left != null && left.equals(right);
      case NE:
        return left == null || right == null || !left.equals(right);
      default:
        break;
    }
    if (left == null || right == null) {
      return false;
    }
    Integer order = Values.compare(left, right);
    if (order == null) {
      return false;
    }
    return switch (compare.comparator()) {
      case LT -> order < 0;
      case LE -> order <= 0;
      case GT -> order > 0;
      default -> order >= 0;
    };
  }

  private static boolean between(Between between, Map<String, AttributeValue> item) {
    AttributeValue lower = value(between.lower(), item);
    AttributeValue upper = value(between.upper(), item);
    AttributeValue value = value(between.operand(), item);
    if (lower != null && upper != null) {
      Integer bounds = Values.compare(lower, upper);
      if (bounds != null && bounds > 0) {
        throw StoreException.validation("Invalid ConditionExpression: The BETWEEN operator requires upper bound to be"
            + " greater than or equal to lower bound; lower operand: " + lower + ", upper operand: " + upper);
      }
    }
    if (value == null || lower == null || upper == null) {
      return false;
    }
    Integer fromLower = Values.compare(value, lower);
    Integer toUpper = Values.compare(value, upper);
    return fromLower != null && toUpper != null && fromLower >= 0 && toUpper <= 0;
  }

  private static boolean in(In in, Map<String, AttributeValue> item) {
    AttributeValue value = value(in.operand(), item);
    if (value == null) {
      return false;
    }
    for (Operand candidate : in.candidates()) {
      if (value.equals(value(candidate, item))) {
        return true;
      }
    }
    return false;
  }

  /** An operand's value in {@code item}, or null where there is none. */
  static AttributeValue value(Operand operand, Map<String, AttributeValue> item) {
    if (operand instanceof ValueOperand value) {
      return value.value();
    } else if (operand instanceof PathOperand path) {
      return Documents.get(item, path.path());
    }
    return size(Documents.get(item, ((SizeOperand) operand).path()));
  }

  private static AttributeValue size(AttributeValue value) {
    if (value == null) {
      return null;
    }
    long size;
    if (value instanceof S s) {
      size = s.value().codePointCount(0, s.value().length());
    } else if (value instanceof B b) {
      size = b.value().length();
    } else if (value instanceof SS ss) {
      size = ss.values().size();
    } else if (value instanceof NS ns) {
      size = ns.values().size();
    } else if (value instanceof BS bs) {
      size = bs.values().size();
    } else if (value instanceof L list) {
      size = list.values().size();
    } else if (value instanceof M map) {
      size = map.values().size();
    } else {
      // A stored number, boolean or null has no size: the comparison is false, not an error (the
      // request is valid; only the data does not fit it).
      return null;
    }
    return AttributeValue.n(size);
  }
}
