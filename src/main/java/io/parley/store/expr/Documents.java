package io.parley.store.expr;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.AttributeValue.L;
import io.parley.store.model.AttributeValue.M;
import io.parley.store.model.StoreException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading and copy-on-write changes of a document path in an item. */
public final class Documents {
  private Documents() {}

  /** The value at {@code path}, or null if there is none. */
  public static AttributeValue get(Map<String, AttributeValue> item, Path path) {
    AttributeValue current = item.get(path.topName());
    for (int i = 1; i < path.size() && current != null; i++) {
      Object element = path.at(i);
      if (element instanceof Integer index) {
        current = current instanceof L list && index < list.values().size() ? list.values().get(index) : null;
      } else {
        current = current instanceof M map ? map.values().get((String) element) : null;
      }
    }
    return current;
  }

  /** Sets {@code path} in {@code item} (changed in place at the top level, copied below). */
  public static void set(Map<String, AttributeValue> item, Path path, AttributeValue value) {
    if (path.size() == 1) {
      item.put(path.topName(), value);
      return;
    }
    AttributeValue top = item.get(path.topName());
    if (top == null) {
      throw invalidPath();
    }
    item.put(path.topName(), setIn(top, path, 1, value));
  }

  private static AttributeValue setIn(AttributeValue container, Path path, int depth, AttributeValue value) {
    Object element = path.at(depth);
    boolean last = depth == path.size() - 1;
    if (element instanceof Integer index) {
      if (!(container instanceof L list)) {
        throw invalidPath();
      }
      List<AttributeValue> values = new ArrayList<>(list.values());
      if (last) {
        if (index >= values.size()) {
          values.add(value);
        } else {
          values.set(index, value);
        }
      } else {
        if (index >= values.size()) {
          throw invalidPath();
        }
        values.set(index, setIn(values.get(index), path, depth + 1, value));
      }
      return new L(values);
    }
    if (!(container instanceof M map)) {
      throw invalidPath();
    }
    Map<String, AttributeValue> values = new LinkedHashMap<>(map.values());
    String name = (String) element;
    if (last) {
      values.put(name, value);
    } else {
      AttributeValue child = values.get(name);
      if (child == null) {
        throw invalidPath();
      }
      values.put(name, setIn(child, path, depth + 1, value));
    }
    return new M(values);
  }

  /** Removes {@code path} from {@code item}; a path that leads nowhere changes nothing. */
  public static void remove(Map<String, AttributeValue> item, Path path) {
    if (path.size() == 1) {
      item.remove(path.topName());
      return;
    }
    AttributeValue top = item.get(path.topName());
    if (top == null) {
      return;
    }
    AttributeValue changed = removeIn(top, path, 1);
    if (changed != null) {
      item.put(path.topName(), changed);
    }
  }

  /** The container without {@code path}, or null if the path leads nowhere. */
  private static AttributeValue removeIn(AttributeValue container, Path path, int depth) {
    Object element = path.at(depth);
    boolean last = depth == path.size() - 1;
    if (element instanceof Integer index) {
      if (!(container instanceof L list)) {
        throw invalidPath();
      }
      if (index >= list.values().size()) {
        return null;
      }
      List<AttributeValue> values = new ArrayList<>(list.values());
      if (last) {
        values.remove((int) index);
      } else {
        AttributeValue changed = removeIn(values.get(index), path, depth + 1);
        if (changed == null) {
          return null;
        }
        values.set(index, changed);
      }
      return new L(values);
    }
    if (!(container instanceof M map)) {
      throw invalidPath();
    }
    String name = (String) element;
    if (!map.values().containsKey(name)) {
      return null;
    }
    Map<String, AttributeValue> values = new LinkedHashMap<>(map.values());
    if (last) {
      values.remove(name);
    } else {
      AttributeValue changed = removeIn(values.get(name), path, depth + 1);
      if (changed == null) {
        return null;
      }
      values.put(name, changed);
    }
    return new M(values);
  }

  /**
   * The parts of {@code item} at {@code paths}, nested as in the item (a projection); list
   * elements keep their order, as DynamoDB returns them.
   */
  public static Map<String, AttributeValue> project(Map<String, AttributeValue> item, List<Path> paths) {
    Map<String, AttributeValue> result = new LinkedHashMap<>();
    for (Path path : paths) {
      AttributeValue value = get(item, path);
      if (value != null) {
        merge(result, path, value, item);
      }
    }
    return result;
  }

  private static void merge(Map<String, AttributeValue> result, Path path, AttributeValue value,
      Map<String, AttributeValue> item) {
    if (path.size() == 1) {
      result.put(path.topName(), value);
      return;
    }
    AttributeValue existing = result.get(path.topName());
    result.put(path.topName(), mergeIn(existing, path, 1, value));
  }

  private static AttributeValue mergeIn(AttributeValue existing, Path path, int depth, AttributeValue value) {
    if (depth == path.size()) {
      return value;
    }
    Object element = path.at(depth);
    if (element instanceof Integer) {
      // Projected list elements are gathered in the order of their paths.
      List<AttributeValue> values = existing instanceof L list ? new ArrayList<>(list.values()) : new ArrayList<>();
      values.add(mergeIn(null, path, depth + 1, value));
      return new L(values);
    }
    Map<String, AttributeValue> values = existing instanceof M map ? new LinkedHashMap<>(map.values()) : new LinkedHashMap<>();
    String name = (String) element;
    values.put(name, mergeIn(values.get(name), path, depth + 1, value));
    return new M(values);
  }

  static StoreException invalidPath() {
    return StoreException.validation("The document path provided in the update expression is invalid for update");
  }
}
