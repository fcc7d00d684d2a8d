package io.parley.gateway;

import java.util.ArrayDeque;
import org.apache.pekko.util.ByteString;

/**
 * The frames of one connection waiting for its socket, in order: text frames (encoded as they
 * come, so that their bytes count and the text can go), frames whose content is still being
 * opened (counted as frames only), and the connection's end. Bounded in frames and in bytes; one
 * frame larger than the byte bound is taken when nothing else waits.
 */
final class WaitingFrames {
  enum Added {
    ADDED,
    TOO_MANY_FRAMES,
    TOO_MANY_BYTES
  }

  private final ArrayDeque<Object> frames = new ArrayDeque<>(4);
  private final int maxFrames;
  private final long maxBytes;
  private long bytes;

  WaitingFrames(int maxFrames, long maxBytes) {
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
  }

  /** Takes {@code frame} unless a bound would be passed (then nothing changes). */
  Added add(SocketOutput.Outbound frame) {
    if (frames.size() >= maxFrames) {
      return Added.TOO_MANY_FRAMES;
    }
    if (frame instanceof SocketOutput.Text text) {
      ByteString encoded = ByteString.fromString(text.json());
      if (bytes > 0 && bytes + encoded.length() > maxBytes) {
        return Added.TOO_MANY_BYTES;
      }
      frames.add(encoded);
      bytes += encoded.length();
    } else {
      frames.add(frame);
    }
    return Added.ADDED;
  }

  /** The first frame: a {@link ByteString} (an encoded text), an {@link SocketOutput.Opening} or a {@link SocketOutput.Complete}; null if none. */
  Object peek() {
    return frames.peek();
  }

  void removeFirst() {
    if (frames.poll() instanceof ByteString sent) {
      bytes -= sent.length();
    }
  }

  /** More than a quarter of the byte bound waits: the low-water mark. */
  boolean isBehind() {
    return bytes > maxBytes / 4;
  }

  int size() {
    return frames.size();
  }

  long bytes() {
    return bytes;
  }

  void clear() {
    frames.clear();
    bytes = 0;
  }
}
