package io.parley.store.engine;

import io.parley.store.model.AttributeValue;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * Key values as bytes whose unsigned byte-wise order is DynamoDB's order of the values: S by
 * UTF-8 bytes, B as they are, N by value. SQLite compares BLOBs with memcmp, so key columns sort
 * and range-scan in DynamoDB's order.
 *
 * <p>A number is encoded as a sign byte (1 negative, 2 zero, 3 positive), then its decimal
 * exponent E (value = 0.d1d2...dn × 10^E, d1 ≠ 0, dn ≠ 0) in two bytes, then one byte per digit.
 * Positive: E + 32768, digits d + 1; a shorter digit string that is a prefix of a longer one is
 * the smaller value, as memcmp has it. Negative: both complemented (65535 - (E + 32768), 10 - d)
 * and a final 0xFF, so that the longer (larger magnitude, smaller value) sorts first.
 */
public final class KeyBytes {
  private KeyBytes() {}

  public static byte[] of(AttributeValue value) {
    if (value instanceof AttributeValue.S s) {
      return s.value().getBytes(StandardCharsets.UTF_8);
    }
    if (value instanceof AttributeValue.B b) {
      return b.value().unsafeArray();
    }
    return number(((AttributeValue.N) value).decimal());
  }

  public static byte[] number(BigDecimal value) {
    int sign = value.signum();
    if (sign == 0) {
      return new byte[] {2};
    }
    BigDecimal stripped = value.stripTrailingZeros();
    String digits = stripped.unscaledValue().abs().toString();
    int exponent = digits.length() - stripped.scale() + 32768;
    ByteArrayOutputStream out = new ByteArrayOutputStream(digits.length() + 4);
    if (sign > 0) {
      out.write(3);
      out.write(exponent >>> 8);
      out.write(exponent & 0xFF);
      for (int i = 0; i < digits.length(); i++) {
        out.write(digits.charAt(i) - '0' + 1);
      }
    } else {
      int complemented = 65535 - exponent;
      out.write(1);
      out.write(complemented >>> 8);
      out.write(complemented & 0xFF);
      for (int i = 0; i < digits.length(); i++) {
        out.write(10 - (digits.charAt(i) - '0'));
      }
      out.write(0xFF);
    }
    return out.toByteArray();
  }

  /** The value {@code bytes} encode, given its type (S, N or B): the inverse of {@link #of}. */
  public static AttributeValue value(String type, byte[] bytes) {
    return switch (type) {
      case "S" -> new AttributeValue.S(new String(bytes, StandardCharsets.UTF_8));
      case "B" -> new AttributeValue.B(io.parley.store.model.Bytes.wrap(bytes.clone()));
      default -> AttributeValue.N.of(number(bytes));
    };
  }

  /** The number {@code bytes} encode: the inverse of {@link #number(BigDecimal)}. */
  public static BigDecimal number(byte[] bytes) {
    if (bytes[0] == 2) {
      return BigDecimal.ZERO;
    }
    boolean negative = bytes[0] == 1;
    int stored = ((bytes[1] & 0xFF) << 8) | (bytes[2] & 0xFF);
    int exponent = (negative ? 65535 - stored : stored) - 32768;
    int end = negative ? bytes.length - 1 : bytes.length;
    StringBuilder digits = new StringBuilder(end - 3);
    for (int i = 3; i < end; i++) {
      digits.append((char) ('0' + (negative ? 10 - bytes[i] : bytes[i] - 1)));
    }
    BigDecimal magnitude = new BigDecimal(new java.math.BigInteger(digits.toString()), digits.length() - exponent);
    return negative ? magnitude.negate() : magnitude;
  }

  /** The least byte string greater than every string that starts with {@code prefix}, or null. */
  static byte[] prefixEnd(byte[] prefix) {
    byte[] end = prefix.clone();
    for (int i = end.length - 1; i >= 0; i--) {
      if ((end[i] & 0xFF) != 0xFF) {
        end[i]++;
        return java.util.Arrays.copyOf(end, i + 1);
      }
    }
    return null;
  }
}
