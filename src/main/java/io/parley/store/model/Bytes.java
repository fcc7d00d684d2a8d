package io.parley.store.model;

import java.util.Arrays;
import java.util.Base64;

/** An immutable byte string, ordered as DynamoDB orders binary values: byte-wise, unsigned. */
public final class Bytes implements Comparable<Bytes> {
  private final byte[] bytes;

  private Bytes(byte[] bytes) {
    this.bytes = bytes;
  }

  public static Bytes copyOf(byte[] bytes) {
    return new Bytes(bytes.clone());
  }

  /** Takes {@code bytes} without copying: the caller hands it over. */
  public static Bytes wrap(byte[] bytes) {
    return new Bytes(bytes);
  }

  public byte[] toArray() {
    return bytes.clone();
  }

  public int length() {
    return bytes.length;
  }

  public byte at(int index) {
    return bytes[index];
  }

  /** The array itself, for encoders that only read it. */
  public byte[] unsafeArray() {
    return bytes;
  }

  public boolean startsWith(Bytes prefix) {
    return bytes.length >= prefix.bytes.length
        && Arrays.equals(bytes, 0, prefix.bytes.length, prefix.bytes, 0, prefix.bytes.length);
  }

  public boolean contains(Bytes part) {
    outer:
    for (int start = 0; start + part.bytes.length <= bytes.length; start++) {
      for (int i = 0; i < part.bytes.length; i++) {
        if (bytes[start + i] != part.bytes[i]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Override
  public int compareTo(Bytes other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Bytes that && Arrays.equals(bytes, that.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
