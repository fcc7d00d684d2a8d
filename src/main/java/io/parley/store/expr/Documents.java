package io.parley.store.expr;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.AttributeValue.L;
import io.parley.store.model.AttributeValue.M;
import io.parley.store.model.StoreException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
   * The parts of {@code item} at {@code paths}, nested as in the item (a projection). Paths into
   * one list element share that element, and projected elements keep the list's order.
   */
  public static Map<String, AttributeValue> project(Map<String, AttributeValue> item, List<Path> paths) {
    Map<String, Object> tree = new LinkedHashMap<>();
    for (Path path : paths) {
      AttributeValue value = get(item, path);
      if (value != null) {
        place(tree, path, value);
      }
    }
    Map<String, AttributeValue> result = new LinkedHashMap<>();
    tree.forEach((name, node) -> result.put(name, built(node)));
    return result;
  }

  /**
   * Puts {@code value} at {@code path} in a tree of maps (for M), sorted maps of indexes (for L)
   * and values. Projected paths never overlap, so a value never lands on a container.
   */
  @SuppressWarnings("unchecked")
  private static void place(Map<String, Object> tree, Path path, AttributeValue value) {
    Map<Object, Object> container = (Map<Object, Object>) (Map<?, ?>) tree;
    for (int i = 0; i < path.size() - 1; i++) {
      Object element = path.at(i);
      boolean listNext = path.at(i + 1) instanceof Integer;
      container = (Map<Object, Object>) container.computeIfAbsent(element,
          unused -> listNext ? new TreeMap<Integer, Object>() : new LinkedHashMap<String, Object>());
    }
    container.put(path.at(path.size() - 1), value);
  }

  @SuppressWarnings("unchecked")
  private static AttributeValue built(Object node) {
    if (node instanceof AttributeValue value) {
      return value;
    }
    if (node instanceof TreeMap<?, ?> elements) {
      List<AttributeValue> values = new ArrayList<>();
      elements.values().forEach(element -> values.add(built(element)));
      return new L(values);
    }
    Map<String, AttributeValue> values = new LinkedHashMap<>();
    ((Map<String, Object>) node).forEach((name, child) -> values.put(name, built(child)));
    return new M(values);
  }

  static StoreException invalidPath() {
    return StoreException.validation("The document path provided in the update expression is invalid for update");
  }
}
