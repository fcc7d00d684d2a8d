package io.parley.store.model;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * DynamoDB's number rules: up to 38 significant digits, magnitude from 1E-130 to below 1E+126 (or
 * zero), kept without leading or trailing zeros.
 */
public final class Numbers {
  private Numbers() {}

  private static final BigDecimal SMALLEST = new BigDecimal("1E-130");
  private static final BigDecimal TOO_LARGE = new BigDecimal("1E+126");

  /**
   * A number's text: ASCII digits with an optional sign, point and exponent. DynamoDB refuses
   * padding and other scripts' digits, which BigDecimal alone would read.
   */
  private static final Pattern FORM =
      Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

  /** {@code text} as DynamoDB stores it, or a ValidationException saying what is wrong with it. */
  public static String canonical(String text) {
    if (text == null || text.isEmpty()) {
      throw StoreException.validation("The parameter cannot be converted to a numeric value");
    }
    if (!FORM.matcher(text).matches()) {
      throw StoreException.validation("The parameter cannot be converted to a numeric value: " + text);
    }
    try {
      return canonical(new BigDecimal(text));
    } catch (NumberFormatException exponentTooLarge) {
      throw StoreException.validation("The parameter cannot be converted to a numeric value: " + text);
    }
  }

  public static String canonical(BigDecimal number) {
    BigDecimal stripped = number.stripTrailingZeros();
    if (stripped.signum() == 0) {
      return "0";
    }
    if (stripped.precision() > 38) {
      throw StoreException.validation("Attempting to store more than 38 significant digits in a Number");
    }
    BigDecimal magnitude = stripped.abs();
    if (magnitude.compareTo(TOO_LARGE) >= 0) {
      throw StoreException.validation(
          "Number overflow. Attempting to store a number with magnitude larger than supported range");
    }
    if (magnitude.compareTo(SMALLEST) < 0) {
      throw StoreException.validation(
          "Number underflow. Attempting to store a number with magnitude smaller than supported range");
    }
    return stripped.toPlainString();
  }
}
