package io.parley.store.expr;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.AttributeValue.B;
import io.parley.store.model.AttributeValue.N;
import io.parley.store.model.AttributeValue.S;
import java.nio.charset.StandardCharsets;

/** Comparing attribute values as DynamoDB's comparators do. */
public final class Values {
  private Values() {}

  /**
   * The order of two values of the same scalar type (S by UTF-8 bytes, N by value, B unsigned
   * byte-wise), or null if they are not comparable.
   */
  public static Integer compare(AttributeValue left, AttributeValue right) {
    if (left instanceof S a && right instanceof S b) {
      return java.util.Arrays.compareUnsigned(a.value().getBytes(StandardCharsets.UTF_8),
          b.value().getBytes(StandardCharsets.UTF_8));
    }
    if (left instanceof N a && right instanceof N b) {
      return a.decimal().compareTo(b.decimal());
    }
    if (left instanceof B a && right instanceof B b) {
      return a.value().compareTo(b.value());
    }
    return null;
  }
}
