package io.parley.gateway.socket;

import io.parley.gateway.session.SocketOutput;
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

  /** A reply to one of the client's requests: it waits like a text, but is not the connection's frame. */
  private record Reply(ByteString text) {}

  /** Takes the connection's {@code frame} unless a bound would be passed (then nothing changes). */
  Added add(SocketOutput.Outbound frame) {
    if (frames.size() >= maxFrames) {
      return Added.TOO_MANY_FRAMES;
    }
    if (frame instanceof SocketOutput.Text text) {
      return addText(ByteString.fromString(text.json()), false);
    }
    frames.add(frame);
    return Added.ADDED;
  }

  /** Takes a reply to the client unless a bound would be passed (then nothing changes). */
  Added addReply(String json) {
    return frames.size() >= maxFrames ? Added.TOO_MANY_FRAMES : addText(ByteString.fromString(json), true);
  }

  private Added addText(ByteString encoded, boolean reply) {
    if (bytes > 0 && bytes + encoded.length() > maxBytes) {
      return Added.TOO_MANY_BYTES;
    }
    frames.add(reply ? new Reply(encoded) : encoded);
    bytes += encoded.length();
    return Added.ADDED;
  }

  /** The first frame: a {@link ByteString} (an encoded text), an {@link SocketOutput.Opening} or a {@link SocketOutput.Complete}; null if none. */
  Object peek() {
    Object first = frames.peek();
    return first instanceof Reply reply ? reply.text() : first;
  }

  /** Removes the first frame: true if it was the connection's, false if a reply (or none). */
  boolean removeFirst() {
    Object sent = frames.poll();
    if (sent instanceof Reply reply) {
      bytes -= reply.text().length();
      return false;
    }
    if (sent instanceof ByteString text) {
      bytes -= text.length();
    }
    return sent != null;
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
