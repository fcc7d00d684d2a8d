package io.parley.store.engine;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * An encoded item as its row keeps it: LZ4-compressed when that saves room. Larger items overflow
 * SQLite's b-tree pages, and each overflow chain wastes half a page on average, so shrinking them
 * saves more than the bytes removed. Sealed content does not compress, but attribute names,
 * serialized events and numbers around it do. LZ4 rather than deflate: the store's one writer
 * compresses every item of every commit, and deflate cost it many times what LZ4 does for a
 * slightly smaller row (docs/performance.md).
 *
 * <p>A compressed value starts with a marker that {@link ItemCodec} never writes: every item
 * starts with the varint of its attribute count, written shortest, and the markers are that
 * varint's zero in longer forms. {@code 0x80 0x80 0x00} starts an LZ4 block (after the original
 * length, 4 bytes); {@code 0x80 0x00} a raw deflate stream, which rows written before LZ4 hold. An
 * item stored before compression existed reads as it was.
 */
final class ItemCompression {
  private ItemCompression() {}

  /** Below this, compressing saves too little to be worth a writer's time. */
  static final int COMPRESS_FROM = 256;
  private static final byte MARK = (byte) 0x80, END = 0x00;
  private static final int LZ4_HEADER = 7;

  /** The native compressor where the jar carries one for this platform, else the safe Java one. */
  private static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
  /** Bounds-checked in Java: a damaged row is an error, never a read outside the buffer. */
  private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.safeInstance().safeDecompressor();
  /** Where a thread compresses into before the result is copied out at its length. */
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[4096]);
  private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(() -> new Inflater(true));

  /** The compressed value of {@code encoded} where that is smaller, else {@code encoded} itself. */
  static byte[] pack(byte[] encoded) {
    byte[] compressed = compressed(encoded, encoded.length);
    return compressed != null ? compressed : encoded;
  }

  /** As {@link #pack}, of the first {@code length} bytes of a buffer its caller reuses: always a new array. */
  static byte[] packCopy(byte[] buffer, int length) {
    byte[] compressed = compressed(buffer, length);
    return compressed != null ? compressed : Arrays.copyOf(buffer, length);
  }

  /** Null where compressing would not save room. */
  private static byte[] compressed(byte[] encoded, int length) {
    if (length < COMPRESS_FROM) {
      return null;
    }
    int bound = LZ4_HEADER + COMPRESSOR.maxCompressedLength(length);
    byte[] out = SCRATCH.get();
    if (out.length < bound) {
      out = new byte[bound];
      SCRATCH.set(out);
    }
    out[0] = MARK;
    out[1] = MARK;
    out[2] = END;
    out[3] = (byte) (length >>> 24);
    out[4] = (byte) (length >>> 16);
    out[5] = (byte) (length >>> 8);
    out[6] = (byte) length;
    int written = LZ4_HEADER + COMPRESSOR.compress(encoded, 0, length, out, LZ4_HEADER, out.length - LZ4_HEADER);
    return written < length ? Arrays.copyOf(out, written) : null;
  }

  static byte[] unpack(byte[] stored) {
    if (stored.length < 2 || stored[0] != MARK) {
      return stored;
    }
    if (stored[1] == END) {
      return inflated(stored);
    }
    if (stored.length >= LZ4_HEADER && stored[1] == MARK && stored[2] == END) {
      return decompressed(stored);
    }
    return stored;
  }

  private static byte[] decompressed(byte[] stored) {
    int length = ((stored[3] & 0xFF) << 24) | ((stored[4] & 0xFF) << 16) | ((stored[5] & 0xFF) << 8) | (stored[6] & 0xFF);
    if (length < 0) {
      throw new IllegalStateException("A stored item's compressed value is corrupt: length " + length);
    }
    byte[] out = new byte[length];
    try {
      int n = DECOMPRESSOR.decompress(stored, LZ4_HEADER, stored.length - LZ4_HEADER, out, 0, length);
      if (n != length) {
        throw new IllegalStateException("A stored item's compressed value is cut short: " + n + " of " + length + " bytes");
      }
    } catch (LZ4Exception corrupt) {
      throw new IllegalStateException("A stored item's compressed value is corrupt", corrupt);
    }
    return out;
  }

  /** Rows written before LZ4: a raw deflate stream after the marker. */
  private static byte[] inflated(byte[] stored) {
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
