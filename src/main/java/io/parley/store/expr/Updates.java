package io.parley.store.expr;

import io.parley.store.expr.Ast.IfNotExists;
import io.parley.store.expr.Ast.ListAppend;
import io.parley.store.expr.Ast.Minus;
import io.parley.store.expr.Ast.Plain;
import io.parley.store.expr.Ast.Plus;
import io.parley.store.expr.Ast.SetAction;
import io.parley.store.expr.Ast.SetValue;
import io.parley.store.expr.Ast.ValueAction;
import io.parley.store.model.AttributeValue;
import io.parley.store.model.AttributeValue.BS;
import io.parley.store.model.AttributeValue.L;
import io.parley.store.model.AttributeValue.N;
import io.parley.store.model.AttributeValue.NS;
import io.parley.store.model.AttributeValue.SS;
import io.parley.store.model.StoreException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies an update expression. Every operand reads the item as it was before the update, as in
 * DynamoDB; the actions then write SET, REMOVE, ADD and DELETE in turn.
 */
public final class Updates {
  private Updates() {}

  /** The item after {@code update}; {@code old} (possibly empty) is left unchanged. */
  public static Map<String, AttributeValue> apply(Ast.Update update, Map<String, AttributeValue> old) {
    Map<String, AttributeValue> item = new LinkedHashMap<>(old);
    List<AttributeValue> setValues = new ArrayList<>();
    for (SetAction set : update.sets()) {
      setValues.add(value(set.value(), old));
    }
    for (int i : setOrder(update.sets(), old)) {
      Documents.set(item, update.sets().get(i).path(), setValues.get(i));
    }
    List<Path> removes = new ArrayList<>(update.removes());
    removes.sort(Updates::laterFirst);
    for (Path remove : removes) {
      Documents.remove(item, remove);
    }
    for (ValueAction add : update.adds()) {
      Documents.set(item, add.path(), add(Documents.get(old, add.path()), add.value().value()));
    }
    for (ValueAction delete : update.deletes()) {
      AttributeValue remaining = delete(Documents.get(old, delete.path()), delete.value().value());
      if (remaining == null) {
        Documents.remove(item, delete.path());
      } else {
        Documents.set(item, delete.path(), remaining);
      }
    }
    return item;
  }

  /**
   * The order the SET actions write in: as written, but elements past the end of a list last, in
   * the order of their indexes, since "if you add multiple elements in a single SET operation, the
   * elements are sorted in order by element number" (developer guide, update expressions).
   */
  private static List<Integer> setOrder(List<SetAction> sets, Map<String, AttributeValue> old) {
    List<Integer> order = new ArrayList<>();
    List<Integer> appends = new ArrayList<>();
    for (int i = 0; i < sets.size(); i++) {
      (appends(sets.get(i).path(), old) ? appends : order).add(i);
    }
    appends.sort(java.util.Comparator.comparingInt(i -> lastIndex(sets.get(i).path())));
    order.addAll(appends);
    return order;
  }

  /**
   * An order of REMOVE's paths, element by element, in which a list's later elements come first:
   * removed in it, each index names an element of the list as it was before the REMOVE ("REMOVE
   * RelatedItems[1], RelatedItems[2]" removes both, developer guide, update expressions). Names
   * are ordered only to make the order total.
   */
  private static int laterFirst(Path a, Path b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      Object x = a.at(i);
      Object y = b.at(i);
      int order;
      if (x instanceof Integer xi && y instanceof Integer yi) {
        order = Integer.compare(yi, xi);
      } else if (x instanceof String xs && y instanceof String ys) {
        order = xs.compareTo(ys);
      } else {
        order = x instanceof Integer ? -1 : 1;
      }
      if (order != 0) {
        return order;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  private static boolean appends(Path path, Map<String, AttributeValue> old) {
    return path.size() > 1 && path.at(path.size() - 1) instanceof Integer && Documents.get(old, path) == null;
  }

  private static int lastIndex(Path path) {
    return (Integer) path.at(path.size() - 1);
  }

  private static AttributeValue value(SetValue value, Map<String, AttributeValue> item) {
    if (value instanceof Plain plain) {
      AttributeValue result = Conditions.value(plain.operand(), item);
      if (result == null) {
        throw StoreException.validation("The provided expression refers to an attribute that does not exist in the item");
      }
      return result;
    }
    if (value instanceof Plus plus) {
      return N.of(number(value(plus.left(), item), "+").add(number(value(plus.right(), item), "+")));
    }
    if (value instanceof Minus minus) {
      return N.of(number(value(minus.left(), item), "-").subtract(number(value(minus.right(), item), "-")));
    }
    if (value instanceof IfNotExists ifNotExists) {
      AttributeValue existing = Documents.get(item, ifNotExists.path());
      return existing != null ? existing : value(ifNotExists.fallback(), item);
    }
    ListAppend append = (ListAppend) value;
    AttributeValue first = value(append.first(), item);
    AttributeValue second = value(append.second(), item);
    if (!(first instanceof L a) || !(second instanceof L b)) {
      throw StoreException.validation("Invalid UpdateExpression: Incorrect operand type for operator or function;"
          + " operator or function: list_append, operand type: " + (first instanceof L ? second : first).type());
    }
    List<AttributeValue> joined = new ArrayList<>(a.values());
    joined.addAll(b.values());
    return new L(joined);
  }

  private static java.math.BigDecimal number(AttributeValue value, String operator) {
    if (!(value instanceof N number)) {
      throw StoreException.validation("An operand in the update expression has an incorrect data type");
    }
    return number.decimal();
  }

  private static AttributeValue add(AttributeValue existing, AttributeValue added) {
    if (added instanceof N number) {
      if (existing == null) {
        return number;
      }
      if (existing instanceof N current) {
        return N.of(current.decimal().add(number.decimal()));
      }
    } else if (added instanceof SS || added instanceof NS || added instanceof BS) {
      if (existing == null) {
        return added;
      }
      if (existing.type().equals(added.type())) {
        return union(existing, added);
      }
    } else {
      throw StoreException.validation("Invalid UpdateExpression: Incorrect operand type for operator or function;"
          + " operator: ADD, operand type: " + added.type());
    }
    throw StoreException.validation("An operand in the update expression has an incorrect data type");
  }

  private static AttributeValue delete(AttributeValue existing, AttributeValue taken) {
    if (!(taken instanceof SS || taken instanceof NS || taken instanceof BS)) {
      throw StoreException.validation("Invalid UpdateExpression: Incorrect operand type for operator or function;"
          + " operator: DELETE, operand type: " + taken.type());
    }
    if (existing == null) {
      return null;
    }
    if (!existing.type().equals(taken.type())) {
      throw StoreException.validation("An operand in the update expression has an incorrect data type");
    }
    if (existing instanceof SS ss) {
      Set<String> left = new LinkedHashSet<>(ss.values());
      left.removeAll(((SS) taken).values());
      return left.isEmpty() ? null : new SS(left);
    }
    if (existing instanceof NS ns) {
      Set<String> left = new LinkedHashSet<>(ns.values());
      left.removeAll(((NS) taken).values());
      return left.isEmpty() ? null : new NS(left);
    }
    Set<io.parley.store.model.Bytes> left = new LinkedHashSet<>(((BS) existing).values());
    left.removeAll(((BS) taken).values());
    return left.isEmpty() ? null : new BS(left);
  }

  private static AttributeValue union(AttributeValue existing, AttributeValue added) {
    if (existing instanceof SS ss) {
      Set<String> all = new LinkedHashSet<>(ss.values());
      all.addAll(((SS) added).values());
      return new SS(all);
    }
    if (existing instanceof NS ns) {
      Set<String> all = new LinkedHashSet<>(ns.values());
      all.addAll(((NS) added).values());
      return new NS(all);
    }
    Set<io.parley.store.model.Bytes> all = new LinkedHashSet<>(((BS) existing).values());
    all.addAll(((BS) added).values());
    return new BS(all);
  }
}
