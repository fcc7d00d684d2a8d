package io.parley.store.model;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A DynamoDB attribute value: immutable, one of DynamoDB's ten types. */
public sealed interface AttributeValue {
  /** DynamoDB's name of this value's type: S, N, B, SS, NS, BS, BOOL, NULL, L or M. */
  String type();

  record S(String value) implements AttributeValue {
    public String type() {
      return "S";
    }

    public byte[] utf8() {
      return value.getBytes(StandardCharsets.UTF_8);
    }
  }

  /** A number in its canonical text (see {@link Numbers#canonical}). */
  record N(String value) implements AttributeValue {
    public static N of(String text) {
      return new N(Numbers.canonical(text));
    }

    public static N of(java.math.BigDecimal number) {
      return new N(Numbers.canonical(number));
    }

    public java.math.BigDecimal decimal() {
      return new java.math.BigDecimal(value);
    }

    public String type() {
      return "N";
    }
  }

  record B(Bytes value) implements AttributeValue {
    public String type() {
      return "B";
    }
  }

  record SS(Set<String> values) implements AttributeValue {
    public SS {
      values = Collections.unmodifiableSet(new LinkedHashSet<>(values));
    }

    public String type() {
      return "SS";
    }
  }

  /** A number set; its elements are canonical number texts. */
  record NS(Set<String> values) implements AttributeValue {
    public NS {
      values = Collections.unmodifiableSet(new LinkedHashSet<>(values));
    }

    public static NS of(Collection<String> texts) {
      Set<String> canonical = new LinkedHashSet<>();
      for (String text : texts) {
        canonical.add(Numbers.canonical(text));
      }
      return new NS(canonical);
    }

    public String type() {
      return "NS";
    }
  }

  record BS(Set<Bytes> values) implements AttributeValue {
    public BS {
      values = Collections.unmodifiableSet(new LinkedHashSet<>(values));
    }

    public String type() {
      return "BS";
    }
  }

  record Bool(boolean value) implements AttributeValue {
    public String type() {
      return "BOOL";
    }
  }

  record Null() implements AttributeValue {
    public String type() {
      return "NULL";
    }
  }

  record L(List<AttributeValue> values) implements AttributeValue {
    public L {
      values = List.copyOf(values);
    }

    public String type() {
      return "L";
    }
  }

  record M(Map<String, AttributeValue> values) implements AttributeValue {
    public M {
      values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public String type() {
      return "M";
    }
  }

  static S s(String value) {
    return new S(value);
  }

  static N n(String value) {
    return N.of(value);
  }

  static N n(long value) {
    return N.of(Long.toString(value));
  }

  static B b(byte[] value) {
    return new B(Bytes.copyOf(value));
  }
}
