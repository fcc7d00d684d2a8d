package io.parley.store.engine;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.Utf8;
import java.util.Map;

/**
 * An item's size by DynamoDB's rules: attribute names and strings in UTF-8 bytes, binaries in
 * bytes, a number one byte per two significant digits plus one, BOOL and NULL one byte, a list or
 * map three bytes plus one per element beside the elements' own sizes.
 */
public final class ItemSize {
  private ItemSize() {}

  /** DynamoDB's item size limit, 400 KB. */
  public static final int LIMIT = 400 * 1024;

  public static long of(Map<String, AttributeValue> item) {
    long size = 0;
    for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
      size += utf8(attribute.getKey()) + of(attribute.getValue());
    }
    return size;
  }

  static long of(AttributeValue value) {
    if (value instanceof AttributeValue.S s) {
      return utf8(s.value());
    }
    if (value instanceof AttributeValue.N n) {
      return number(n.value());
    }
    if (value instanceof AttributeValue.B b) {
      return b.value().length();
    }
    if (value instanceof AttributeValue.SS ss) {
      return ss.values().stream().mapToLong(ItemSize::utf8).sum();
    }
    if (value instanceof AttributeValue.NS ns) {
      return ns.values().stream().mapToLong(ItemSize::number).sum();
    }
    if (value instanceof AttributeValue.BS bs) {
      return bs.values().stream().mapToLong(element -> element.length()).sum();
    }
    if (value instanceof AttributeValue.L list) {
      return 3 + list.values().stream().mapToLong(element -> 1 + of(element)).sum();
    }
    if (value instanceof AttributeValue.M map) {
      return 3 + map.values().entrySet().stream()
          .mapToLong(entry -> 1 + utf8(entry.getKey()) + of(entry.getValue())).sum();
    }
    return 1;
  }

  /**
   * One byte per two significant digits, plus one; zeros before the first or after the last
   * nonzero digit are not significant.
   */
  private static long number(String canonical) {
    int first = -1;
    int last = -1;
    int digits = 0;
    for (int i = 0; i < canonical.length(); i++) {
      char c = canonical.charAt(i);
      if (c >= '1' && c <= '9') {
        if (first < 0) {
          first = digits;
        }
        last = digits;
      }
      if (c >= '0' && c <= '9') {
        digits++;
      }
    }
    int significant = first < 0 ? 0 : last - first + 1;
    return (significant + 1) / 2 + 1;
  }

  private static long utf8(String text) {
    return Utf8.length(text);
  }
}
