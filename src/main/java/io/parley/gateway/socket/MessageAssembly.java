package io.parley.gateway.socket;

import org.apache.pekko.http.impl.engine.ws.FrameHandler;

/**
 * A client message put together from the parts pekko-http's frame handling reads (one per frame,
 * or per chunk of a long frame), within a size limit: text is kept, a binary message only noted
 * (Parley speaks JSON text), and one past the limit is dropped as it grows.
 */
final class MessageAssembly {
  enum Progress {
    GROWING,
    /** The message just went past the limit; the rest of it is dropped. */
    TOO_BIG
  }

  /** A whole message: its text, or null for a binary one. */
  record Message(String text) {}

  private final long maxBytes;
  /** The text of a message of one part (most are), without copying it. */
  private String firstPart;
  /** The text of a message of several parts; made when a second part comes. */
  private StringBuilder parts;
  private long bytes;
  private boolean binary;
  private boolean tooBig;

  MessageAssembly(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  Progress add(FrameHandler.MessageDataPart part) {
    if (tooBig) {
      return Progress.GROWING;
    }
    if (part instanceof FrameHandler.TextMessagePart textPart) {
      bytes += utf8Length(textPart.data());
      if (bytes > maxBytes) {
        tooBig = true;
        firstPart = null;
        parts = null;
        return Progress.TOO_BIG;
      }
      if (firstPart == null) {
        firstPart = textPart.data();
      } else {
        if (parts == null) {
          parts = new StringBuilder(firstPart);
        }
        parts.append(textPart.data());
      }
    } else {
      binary = true;
    }
    return Progress.GROWING;
  }

  /** The message the parts so far make, null if it was too big; the assembly starts afresh. */
  Message take() {
    String whole = parts != null ? parts.toString() : firstPart != null ? firstPart : "";
    Message message = tooBig ? null : new Message(binary ? null : whole);
    firstPart = null;
    parts = null;
    bytes = 0;
    binary = false;
    tooBig = false;
    return message;
  }

  static long utf8Length(String s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
