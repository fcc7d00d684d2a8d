package io.parley.store.conformance;

import static io.parley.store.conformance.Sandbox.validation;
import static io.parley.store.conformance.Values.b;
import static io.parley.store.conformance.Values.bool;
import static io.parley.store.conformance.Values.buffer;
import static io.parley.store.conformance.Values.column;
import static io.parley.store.conformance.Values.item;
import static io.parley.store.conformance.Values.list;
import static io.parley.store.conformance.Values.map;
import static io.parley.store.conformance.Values.n;
import static io.parley.store.conformance.Values.ns;
import static io.parley.store.conformance.Values.nul;
import static io.parley.store.conformance.Values.s;
import static io.parley.store.conformance.Values.ss;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.ScalarAttributeType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every attribute type round-trips; numbers and binaries follow DynamoDB's rules and order
 * (developer guide, "Supported data types": numbers of up to 38 digits of precision, from
 * ±1E-130 to ±9.9999999999999999999999999999999999999E+125, leading and trailing zeroes trimmed;
 * binary compared as unsigned bytes; strings by their UTF-8 bytes).
 */
class AttributeTypeConformanceTest {

  @ConformanceTest
  void everyTypeRoundTrips(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    Map<String, AttributeValue> stored = item("pk", s("a"), "s", s("text é 😀"), "n", n("-12.5"), "b", b(0, 255, 128),
        "ss", ss("x", "y"), "ns", ns("1", "2.5"), "bs", new AttributeValue().withBS(buffer(1), buffer(2, 3)),
        "t", bool(true), "f", bool(false), "nul", nul(), "l", list(s("x"), n(1), list(), map("k", nul())),
        "m", map("nested", map("deeper", list(bool(true))), "empty", map()));
    box.put(table, stored);
    Map<String, AttributeValue> read = box.get(table, item("pk", s("a")));
    for (String name : List.of("pk", "s", "n", "b", "t", "f", "nul", "l", "m")) {
      assertEquals(stored.get(name), read.get(name), name);
    }
    assertEquals(Set.of("x", "y"), new HashSet<>(read.get("ss").getSS()), "sets are unordered");
    assertEquals(Set.of("1", "2.5"), new HashSet<>(read.get("ns").getNS()));
    assertEquals(Set.of(buffer(1), buffer(2, 3)), new HashSet<>(read.get("bs").getBS()));
    assertEquals(stored.keySet(), read.keySet());
  }

  @ConformanceTest
  void numbersAreTrimmedAndEqualByValue(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.N);
    box.put(table, item("pk", n("1.0"), "v", n("007.50"), "e", n("1E2"), "p", n("12345678901234567890123456789012345678")));
    Map<String, AttributeValue> read = box.get(table, item("pk", n("1")));
    assertEquals(n("1"), read.get("pk"), "key 1.0 is key 1");
    assertEquals(0, new java.math.BigDecimal(read.get("v").getN()).compareTo(new java.math.BigDecimal("7.5")));
    assertEquals(0, new java.math.BigDecimal(read.get("e").getN()).compareTo(new java.math.BigDecimal("100")));
    assertEquals(n("12345678901234567890123456789012345678"), read.get("p"), "38 digits are kept exactly");
    assertEquals(read, box.get(table, item("pk", n("1.000"))));
    assertEquals(read, box.get(table, item("pk", n("10E-1"))));
  }

  @ConformanceTest
  void numbersOutsideTheirRangeOrPrecisionAreRefused(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    // A number is its ASCII digits, an optional sign, point and exponent: DynamoDB refuses padding
    // (" 1") and other scripts' digits ("\u0661", ARABIC-INDIC DIGIT ONE) rather than reading them as 1.
    for (String number : List.of("1E126", "-1E126", "1E-131", "123456789012345678901234567890123456789", "abc", "1..2", "",
        " 1", "1 ", "\u0661", "1e\u0662")) {
      validation(() -> box.put(table, item("pk", s("a"), "n", n(number))), () -> number);
    }
    validation(() -> box.put(table, item("pk", s("a"), "n", ns("1", "1.0"))));
  }

  @ConformanceTest
  void numericRangeKeysSortByValue(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S, "sk", ScalarAttributeType.N);
    List<String> ascending = List.of("-9.9999999999999999999999999999999999999E+125", "-1E+10", "-2", "-1.5", "-1E-130",
        "0", "1E-130", "0.5", "1", "2", "10", "1E+10", "1E+125", "9.9999999999999999999999999999999999999E+125");
    List<String> shuffled = new ArrayList<>(ascending);
    java.util.Collections.shuffle(shuffled, new java.util.Random(7));
    for (String number : shuffled) {
      box.put(table, item("pk", s("a"), "sk", n(number), "label", s(number)));
    }
    assertEquals(ascending, column(queryAll(box, table), "label"));
  }

  @ConformanceTest
  void binaryRangeKeysSortAsUnsignedBytes(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S, "sk", ScalarAttributeType.B);
    List<AttributeValue> ascending = List.of(b(0), b(0, 0), b(1), b(1, 0), b(0x7f), b(0x7f, 0xff), b(0x80), b(0xfe), b(0xff),
        b(0xff, 0));
    for (int i = ascending.size() - 1; i >= 0; i--) {
      box.put(table, item("pk", s("a"), "sk", ascending.get(i)));
    }
    assertEquals(ascending, queryAll(box, table).stream().map(i -> i.get("sk")).toList());
  }

  @ConformanceTest
  void stringRangeKeysSortByUtf8Bytes(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S, "sk", ScalarAttributeType.S);
    // U+FF5E is EF BD 9E in UTF-8, before the emoji's F0 9F; in UTF-16 the emoji's surrogate D83D comes first.
    List<String> ascending = List.of("A", "B", "a", "ab", "b", "é", "\uFF5E", "😀");
    for (int i = ascending.size() - 1; i >= 0; i--) {
      box.put(table, item("pk", s("a"), "sk", s(ascending.get(i))));
    }
    assertEquals(ascending, column(queryAll(box, table), "sk"));
  }

  @ConformanceTest
  void setsMustBeNonEmptyAndWithoutDuplicates(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    validation(() -> box.put(table, item("pk", s("a"), "ss", ss("x", "x"))));
    validation(() -> box.put(table, item("pk", s("a"), "ss", new AttributeValue().withSS(List.of()))));
    validation(() -> box.put(table, item("pk", s("a"), "bs", new AttributeValue().withBS(buffer(1), buffer(1)))));
    validation(() -> box.put(table, item("pk", s("a"), "ns", new AttributeValue().withNS(List.of()))));
    assertEquals(null, box.get(table, item("pk", s("a"))));
  }

  private static List<Map<String, AttributeValue>> queryAll(Sandbox box, String table) {
    return box.db.query(new QueryRequest(table).withKeyConditionExpression("pk = :a")
        .withExpressionAttributeValues(item(":a", s("a"))).withConsistentRead(true)).getItems();
  }
}
