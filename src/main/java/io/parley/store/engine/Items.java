package io.parley.store.engine;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.StoreException;
import java.util.Map;

/** Checks on whole items that every write makes. */
final class Items {
  private Items() {}

  /** Refuses an item over DynamoDB's size limit or with an empty set. */
  static void check(Map<String, AttributeValue> item) {
    if (ItemSize.of(item) > ItemSize.LIMIT) {
      throw StoreException.validation("Item size has exceeded the maximum allowed size");
    }
    item.values().forEach(Items::checkValue);
  }

  private static void checkValue(AttributeValue value) {
    if (value instanceof AttributeValue.SS ss && ss.values().isEmpty()
        || value instanceof AttributeValue.NS ns && ns.values().isEmpty()
        || value instanceof AttributeValue.BS bs && bs.values().isEmpty()) {
      throw StoreException.validation("One or more parameter values were invalid: An " + value.type() + " set may not be empty");
    }
    if (value instanceof AttributeValue.L list) {
      list.values().forEach(Items::checkValue);
    } else if (value instanceof AttributeValue.M map) {
      map.values().values().forEach(Items::checkValue);
    }
  }
}
