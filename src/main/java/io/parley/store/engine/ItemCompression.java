package io.parley.store.engine;

import java.io.ByteArrayOutputStream;
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
  private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(() -> new Inflater(true));

  static byte[] pack(byte[] encoded) {
    if (encoded.length < COMPRESS_FROM) {
      return encoded;
    }
    Deflater deflater = DEFLATERS.get();
    deflater.reset();
    deflater.setInput(encoded);
    deflater.finish();
    byte[] out = new byte[encoded.length];
    out[0] = MARK_0;
    out[1] = MARK_1;
    int length = 2;
    while (!deflater.finished()) {
      if (length == out.length) {
        return encoded; // no smaller
      }
      length += deflater.deflate(out, length, out.length - length);
    }
    return length < encoded.length ? java.util.Arrays.copyOf(out, length) : encoded;
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
