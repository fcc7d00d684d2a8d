package io.parley.store.engine;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An item's attributes as a compact byte string, the value column of the store's SQLite rows: a
 * tag byte per value, lengths and counts as unsigned varints, strings and numbers as UTF-8.
 */
public final class ItemCodec {
  private ItemCodec() {}

  private static final int S = 1, N = 2, B = 3, SS = 4, NS = 5, BS = 6, TRUE = 7, FALSE = 8, NULL = 9, L = 10, M = 11;

  public static byte[] encode(Map<String, AttributeValue> item) {
    Out out = Out.reused();
    writeMap(out, item);
    return out.toByteArray();
  }

  /**
   * {@code item} as its row keeps it: without its key attributes ({@code rangeName} may be null),
   * which the row's key columns hold, and deflated where that saves room ({@link ItemCompression}).
   */
  static byte[] encodeForRow(Map<String, AttributeValue> item, String hashName, String rangeName) {
    Out out = Out.reused();
    writeMap(out, item, hashName, rangeName);
    return ItemCompression.packCopy(out.buffer(), out.size());
  }

  public static Map<String, AttributeValue> decode(byte[] bytes) {
    In in = new In(bytes);
    return readMap(in);
  }

  private static void writeMap(Out out, Map<String, AttributeValue> map) {
    writeMap(out, map, null, null);
  }

  /** {@code map} without the attributes named {@code leftOut} and {@code alsoLeftOut} (either may be null). */
  private static void writeMap(Out out, Map<String, AttributeValue> map, String leftOut, String alsoLeftOut) {
    int left = (leftOut != null && map.containsKey(leftOut) ? 1 : 0)
        + (alsoLeftOut != null && map.containsKey(alsoLeftOut) ? 1 : 0);
    out.varint(map.size() - left);
    for (Map.Entry<String, AttributeValue> entry : map.entrySet()) {
      String name = entry.getKey();
      if (!name.equals(leftOut) && !name.equals(alsoLeftOut)) {
        out.text(name);
        write(out, entry.getValue());
      }
    }
  }

  private static void write(Out out, AttributeValue value) {
    if (value instanceof AttributeValue.S s) {
      out.write(S);
      out.text(s.value());
    } else if (value instanceof AttributeValue.N n) {
      out.write(N);
      out.text(n.value());
    } else if (value instanceof AttributeValue.B b) {
      out.write(B);
      out.bytes(b.value().unsafeArray());
    } else if (value instanceof AttributeValue.SS ss) {
      out.write(SS);
      out.varint(ss.values().size());
      ss.values().forEach(out::text);
    } else if (value instanceof AttributeValue.NS ns) {
      out.write(NS);
      out.varint(ns.values().size());
      ns.values().forEach(out::text);
    } else if (value instanceof AttributeValue.BS bs) {
      out.write(BS);
      out.varint(bs.values().size());
      bs.values().forEach(element -> out.bytes(element.unsafeArray()));
    } else if (value instanceof AttributeValue.Bool bool) {
      out.write(bool.value() ? TRUE : FALSE);
    } else if (value instanceof AttributeValue.Null) {
      out.write(NULL);
    } else if (value instanceof AttributeValue.L list) {
      out.write(L);
      out.varint(list.values().size());
      list.values().forEach(element -> write(out, element));
    } else {
      out.write(M);
      writeMap(out, ((AttributeValue.M) value).values());
    }
  }

  private static Map<String, AttributeValue> readMap(In in) {
    int size = in.varint();
    Map<String, AttributeValue> map = new LinkedHashMap<>(size * 2);
    for (int i = 0; i < size; i++) {
      String name = in.text();
      map.put(name, read(in));
    }
    return map;
  }

  private static AttributeValue read(In in) {
    int tag = in.read();
    switch (tag) {
      case S: return new AttributeValue.S(in.text());
      case N: return new AttributeValue.N(in.text());
      case B: return new AttributeValue.B(Bytes.wrap(in.bytes()));
      case SS: {
        int size = in.varint();
        Set<String> values = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
          values.add(in.text());
        }
        return new AttributeValue.SS(values);
      }
      case NS: {
        int size = in.varint();
        Set<String> values = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
          values.add(in.text());
        }
        return new AttributeValue.NS(values);
      }
      case BS: {
        int size = in.varint();
        Set<Bytes> values = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
          values.add(Bytes.wrap(in.bytes()));
        }
        return new AttributeValue.BS(values);
      }
      case TRUE: return new AttributeValue.Bool(true);
      case FALSE: return new AttributeValue.Bool(false);
      case NULL: return new AttributeValue.Null();
      case L: {
        int size = in.varint();
        List<AttributeValue> values = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          values.add(read(in));
        }
        return new AttributeValue.L(values);
      }
      case M: return new AttributeValue.M(readMap(in));
      default: throw new IllegalStateException("Unknown value tag " + tag + " in a stored item");
    }
  }

  /**
   * A growable byte buffer, one per thread and reused: items are encoded on the store's writer
   * for every write, and a fresh, growing stream per item was most of what the writer allocated.
   */
  private static final class Out {
    private static final ThreadLocal<Out> REUSED = ThreadLocal.withInitial(Out::new);

    private byte[] buffer = new byte[1024];
    private int count;

    static Out reused() {
      Out out = REUSED.get();
      out.count = 0;
      return out;
    }

    byte[] buffer() {
      return buffer;
    }

    int size() {
      return count;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buffer, count);
    }

    private void room(int more) {
      if (count + more > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, count + more));
      }
    }

    void write(int b) {
      room(1);
      buffer[count++] = (byte) b;
    }

    void varint(int value) {
      room(5);
      while ((value & ~0x7F) != 0) {
        buffer[count++] = (byte) ((value & 0x7F) | 0x80);
        value >>>= 7;
      }
      buffer[count++] = (byte) value;
    }

    void bytes(byte[] bytes) {
      varint(bytes.length);
      room(bytes.length);
      System.arraycopy(bytes, 0, buffer, count, bytes.length);
      count += bytes.length;
    }

    void text(String text) {
      int length = text.length();
      for (int i = 0; i < length; i++) {
        if (text.charAt(i) >= 0x80) {
          bytes(text.getBytes(StandardCharsets.UTF_8));
          return;
        }
      }
      varint(length); // ASCII: one byte a character, as the encoder would write it
      room(length);
      for (int i = 0; i < length; i++) {
        buffer[count++] = (byte) text.charAt(i);
      }
    }
  }

  private static final class In {
    private final byte[] bytes;
    private int position;

    In(byte[] bytes) {
      this.bytes = bytes;
    }

    int read() {
      return bytes[position++] & 0xFF;
    }

    int varint() {
      int value = 0;
      for (int shift = 0; ; shift += 7) {
        int b = read();
        value |= (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
    }

    byte[] bytes() {
      int length = varint();
      byte[] result = java.util.Arrays.copyOfRange(bytes, position, position + length);
      position += length;
      return result;
    }

    String text() {
      int length = varint();
      String result = new String(bytes, position, length, StandardCharsets.UTF_8);
      position += length;
      return result;
    }
  }
}
