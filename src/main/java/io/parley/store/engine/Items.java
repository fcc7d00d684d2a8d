package io.parley.store.engine;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.StoreException;
import io.parley.store.model.Utf8;
import java.util.Map;

/** Checks on whole items that every write makes. */
final class Items {
  private Items() {}

  /** DynamoDB's deepest nesting of lists and maps in an item. */
  static final int MAX_NESTING = 32;

  /** DynamoDB's attribute names are shorter than 64 KB (developer guide, naming rules). */
  static final int MAX_NAME_BYTES = 64 * 1024 - 1;

  /**
   * Refuses an item over DynamoDB's size limit, nested too deep, with an empty set, or with an
   * attribute name empty or of 64 KB.
   */
  static void check(Map<String, AttributeValue> item) {
    if (ItemSize.of(item) > ItemSize.LIMIT) {
      throw StoreException.validation("Item size has exceeded the maximum allowed size");
    }
    for (String name : item.keySet()) {
      // A char is at most three bytes of UTF-8: only a name that long needs its bytes counted.
      if (name.isEmpty() || name.length() > MAX_NAME_BYTES / 3 && Utf8.length(name) > MAX_NAME_BYTES) {
        throw StoreException.validation("One or more parameter values were invalid: An attribute name must be at"
            + " least 1 and less than 65536 bytes long; length: " + Utf8.length(name));
      }
    }
    item.values().forEach(value -> checkValue(value, 1));
  }

  private static void checkValue(AttributeValue value, int level) {
    boolean document = value instanceof AttributeValue.L || value instanceof AttributeValue.M;
    if (document && level > MAX_NESTING) {
      throw StoreException.validation("Nesting Levels have exceeded supported limits");
    }
    if (value instanceof AttributeValue.SS ss && ss.values().isEmpty()
        || value instanceof AttributeValue.NS ns && ns.values().isEmpty()
        || value instanceof AttributeValue.BS bs && bs.values().isEmpty()) {
      throw StoreException.validation("One or more parameter values were invalid: An " + value.type() + " set may not be empty");
    }
    if (value instanceof AttributeValue.L list) {
      list.values().forEach(element -> checkValue(element, level + 1));
    } else if (value instanceof AttributeValue.M map) {
      map.values().values().forEach(element -> checkValue(element, level + 1));
    }
  }
}
