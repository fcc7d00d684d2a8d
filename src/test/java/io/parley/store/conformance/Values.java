package io.parley.store.conformance;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Short names for attribute values and items, for tests that build many of them. */
final class Values {
  private Values() {}

  static AttributeValue s(String value) {
    return new AttributeValue().withS(value);
  }

  static AttributeValue n(String value) {
    return new AttributeValue().withN(value);
  }

  static AttributeValue n(long value) {
    return n(Long.toString(value));
  }

  static AttributeValue b(int... bytes) {
    return new AttributeValue().withB(buffer(bytes));
  }

  static ByteBuffer buffer(int... bytes) {
    byte[] array = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      array[i] = (byte) bytes[i];
    }
    return ByteBuffer.wrap(array);
  }

  static AttributeValue ss(String... values) {
    return new AttributeValue().withSS(values);
  }

  static AttributeValue ns(String... values) {
    return new AttributeValue().withNS(values);
  }

  static AttributeValue bool(boolean value) {
    return new AttributeValue().withBOOL(value);
  }

  static AttributeValue nul() {
    return new AttributeValue().withNULL(true);
  }

  static AttributeValue list(AttributeValue... values) {
    return new AttributeValue().withL(values);
  }

  static AttributeValue map(Object... namesAndValues) {
    return new AttributeValue().withM(item(namesAndValues));
  }

  /** An item (or key) from names and values, in turn: {@code item("pk", s("a"), "n", n(1))}. */
  static Map<String, AttributeValue> item(Object... namesAndValues) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      item.put((String) namesAndValues[i], (AttributeValue) namesAndValues[i + 1]);
    }
    return item;
  }

  /** The string values of one attribute across items, in order. */
  static List<String> column(List<Map<String, AttributeValue>> items, String name) {
    return items.stream().map(item -> text(item.get(name))).toList();
  }

  /** An S or N as its text, a B as its bytes' list. */
  static String text(AttributeValue value) {
    if (value == null) {
      return null;
    }
    if (value.getS() != null) {
      return value.getS();
    }
    if (value.getN() != null) {
      return value.getN();
    }
    if (value.getB() != null) {
      ByteBuffer bytes = value.getB().duplicate();
      byte[] array = new byte[bytes.remaining()];
      bytes.get(array);
      return Arrays.toString(array);
    }
    return value.toString();
  }
}
