package io.parley.store.engine;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * An encoded item as its row keeps it: deflated when that saves room. Larger items overflow
 * SQLite's b-tree pages, and each overflow chain wastes half a page on average, so shrinking them
 * saves more than the bytes deflate removes. Sealed content does not compress, but attribute
 * names, serialized events and numbers around it do.
 *
 * <p>A deflated value starts with {@code 0x80 0x00}, a varint of zero in a second, never-written
 * form: {@link ItemCodec} starts every item with the varint of its attribute count, written
 * shortest, so an item stored before compression existed reads as it was.
 */
final class ItemCompression {
  private ItemCompression() {}

  /** Below this, deflate's own header and dictionary reset cost more than they save. */
  static final int COMPRESS_FROM = 256;
  private static final byte MARK_0 = (byte) 0x80, MARK_1 = 0x00;

  private static final ThreadLocal<Deflater> DEFLATERS = ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED, true));
  /** Where a thread deflates into before the result is copied out at its length. */
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[4096]);
  private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(() -> new Inflater(true));

  /** The deflated value of {@code encoded} where that is smaller, else {@code encoded} itself. */
  static byte[] pack(byte[] encoded) {
    byte[] deflated = deflated(encoded, encoded.length);
    return deflated != null ? deflated : encoded;
  }

  /** As {@link #pack}, of the first {@code length} bytes of a buffer its caller reuses: always a new array. */
  static byte[] packCopy(byte[] buffer, int length) {
    byte[] deflated = deflated(buffer, length);
    return deflated != null ? deflated : Arrays.copyOf(buffer, length);
  }

  /** Null where deflating would not save room. */
  private static byte[] deflated(byte[] encoded, int length) {
    if (length < COMPRESS_FROM) {
      return null;
    }
    Deflater deflater = DEFLATERS.get();
    deflater.reset();
    deflater.setInput(encoded, 0, length);
    deflater.finish();
    byte[] out = SCRATCH.get();
    if (out.length < length) {
      out = new byte[length];
      SCRATCH.set(out);
    }
    out[0] = MARK_0;
    out[1] = MARK_1;
    int written = 2;
    while (!deflater.finished()) {
      if (written >= length) {
        return null; // no smaller
      }
      written += deflater.deflate(out, written, length - written);
    }
    return written < length ? Arrays.copyOf(out, written) : null;
  }

  static byte[] unpack(byte[] stored) {
    if (stored.length < 2 || stored[0] != MARK_0 || stored[1] != MARK_1) {
      return stored;
    }
    Inflater inflater = INFLATERS.get();
    inflater.reset();
    inflater.setInput(stored, 2, stored.length - 2);
    ByteArrayOutputStream out = new ByteArrayOutputStream(stored.length * 3);
    byte[] buffer = new byte[8192];
    try {
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new IllegalStateException("A stored item's deflated value is cut short");
        }
        out.write(buffer, 0, n);
      }
    } catch (DataFormatException corrupt) {
      throw new IllegalStateException("A stored item's deflated value is corrupt", corrupt);
    }
    return out.toByteArray();
  }
}
