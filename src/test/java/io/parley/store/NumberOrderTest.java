package io.parley.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.store.engine.KeyBytes;
import io.parley.store.model.Numbers;
import io.parley.store.model.StoreException;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NumberOrderTest {
  @Test
  void encodedNumbersSortByValue() {
    List<String> ascending = List.of("-9.9999999999999999999999999999999999999E+125", "-1E+100", "-1000", "-999.5",
        "-100", "-10", "-9", "-1.5", "-1.25", "-1.2", "-1", "-0.5", "-0.123", "-0.12", "-1E-130", "0", "1E-130",
        "0.12", "0.123", "0.5", "1", "1.2", "1.25", "1.5", "9", "10", "100", "999.5", "1000", "1E+100",
        "9.9999999999999999999999999999999999999E+125");
    for (int i = 0; i + 1 < ascending.size(); i++) {
      byte[] lower = KeyBytes.number(new BigDecimal(ascending.get(i)));
      byte[] higher = KeyBytes.number(new BigDecimal(ascending.get(i + 1)));
      assertTrue(Arrays.compareUnsigned(lower, higher) < 0, ascending.get(i) + " sorts before " + ascending.get(i + 1));
    }
  }

  @Test
  void randomNumbersSortAsTheirValues() {
    Random random = new Random(40);
    for (int i = 0; i < 20_000; i++) {
      BigDecimal a = randomNumber(random);
      BigDecimal b = randomNumber(random);
      int byValue = Integer.signum(a.compareTo(b));
      int byBytes = Integer.signum(Arrays.compareUnsigned(KeyBytes.number(a), KeyBytes.number(b)));
      assertEquals(byValue, byBytes, a + " vs " + b);
    }
  }

  private static BigDecimal randomNumber(Random random) {
    long unscaled = random.nextInt(5) == 0 ? random.nextInt(100) : random.nextLong() % 1_000_000_000_000L;
    return BigDecimal.valueOf(unscaled, random.nextInt(60) - 30);
  }

  @Test
  void encodedNumbersDecodeToTheirValue() {
    Random random = new Random(41);
    for (int i = 0; i < 5_000; i++) {
      BigDecimal number = randomNumber(random);
      assertEquals(0, number.compareTo(KeyBytes.number(KeyBytes.number(number))), number.toString());
    }
    for (String edge : List.of("0", "1E-130", "-1E-130", "9.9999999999999999999999999999999999999E+125", "-100", "0.5")) {
      assertEquals(0, new BigDecimal(edge).compareTo(KeyBytes.number(KeyBytes.number(new BigDecimal(edge)))), edge);
    }
  }

  @Test
  void equalValuesEncodeAlike() {
    assertTrue(Arrays.equals(KeyBytes.number(new BigDecimal("1.50")), KeyBytes.number(new BigDecimal("1.5"))));
    assertTrue(Arrays.equals(KeyBytes.number(new BigDecimal("100")), KeyBytes.number(new BigDecimal("1E+2"))));
    assertTrue(Arrays.equals(KeyBytes.number(new BigDecimal("-0")), KeyBytes.number(new BigDecimal("0.000"))));
  }

  @Test
  void numbersAreKeptCanonical() {
    assertEquals("1.5", Numbers.canonical("001.500"));
    assertEquals("100", Numbers.canonical("1E+2"));
    assertEquals("0", Numbers.canonical("-0.0"));
    assertEquals("-0.001", Numbers.canonical("-1e-3"));
  }

  @Test
  void numbersOutsideDynamoDbsRangeAreRefused() {
    assertThrows(StoreException.class, () -> Numbers.canonical("1E+126"));
    assertThrows(StoreException.class, () -> Numbers.canonical("1E-131"));
    assertThrows(StoreException.class, () -> Numbers.canonical("1234567890123456789012345678901234567891"));
    assertThrows(StoreException.class, () -> Numbers.canonical("NaN"));
    assertThrows(StoreException.class, () -> Numbers.canonical("12abc"));
    assertEquals("12345678901234567890123456789012345678", Numbers.canonical("12345678901234567890123456789012345678"));
  }
}
