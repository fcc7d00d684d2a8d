package io.parley;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * A bare WebSocket over a plain socket that reads but never answers, not even pings: what a
 * stuck client looks like to the server. It can also write frames the server must read, and not
 * read what comes back: what an abusive client looks like.
 */
final class RawWebSocket implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
  }

  static RawWebSocket open(int port, String pathAndQuery) {
    try {
      Socket socket = new Socket("127.0.0.1", port);
      String key = Base64.getEncoder().encodeToString("parley-raw-test!".getBytes(StandardCharsets.UTF_8));
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      RawWebSocket raw = new RawWebSocket(socket);
      String status = raw.readLine();
      if (!status.contains(" 101 ")) {
        throw new IllegalStateException("upgrade refused: " + status);
      }
      while (!raw.readLine().isEmpty()) {
        // headers
      }
      return raw;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new IOException("closed during handshake");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  /** Opcodes of the frames received so far (0x9 is a ping, 0x8 a close). */
  final java.util.List<Integer> opcodes = new java.util.ArrayList<>();
  /** The code of the server's close frame, once read; -1 before, or if it had none. */
  int closeCode = -1;

  /**
   * {@code count} client frames of {@code opcode} with {@code payload} (under 126 bytes, as a
   * control frame's is), one after the other, masked as a client's must be (with a zero key).
   */
  static byte[] frames(int opcode, byte[] payload, int count) {
    if (payload.length > 125) {
      throw new IllegalArgumentException("payload over 125 bytes");
    }
    byte[] frame = new byte[6 + payload.length];
    frame[0] = (byte) (0x80 | opcode);
    frame[1] = (byte) (0x80 | payload.length);
    System.arraycopy(payload, 0, frame, 6, payload.length);
    byte[] all = new byte[frame.length * count];
    for (int i = 0; i < count; i++) {
      System.arraycopy(frame, 0, all, i * frame.length, frame.length);
    }
    return all;
  }

  /** One masked text frame (a whole message), with a zero masking key. */
  static byte[] textFrame(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream(payload.length + 14);
    frame.write(0x81);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length <= 0xFFFF) {
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length & 0xFF);
    } else {
      throw new IllegalArgumentException("text over 64 KiB");
    }
    frame.writeBytes(new byte[4]);
    frame.writeBytes(payload);
    return frame.toByteArray();
  }

  /** Writes raw bytes; blocks while the server does not read them. */
  void write(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
  }

  /** Reads frames (answering nothing) until the server sends Close or ends the connection. */
  boolean readsUntilClose(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        int first = in.read();
        if (first < 0) {
          return true;
        }
        int opcode = first & 0x0F;
        long length = in.read() & 0x7F;
        if (length == 126) {
          length = in.readUnsignedShort();
        } else if (length == 127) {
          length = in.readLong();
        }
        opcodes.add(opcode);
        if (opcode == 0x8) {
          closeCode = length >= 2 ? in.readUnsignedShort() : -1;
          return true;
        }
        in.skipNBytes(length);
      }
      return false;
    } catch (SocketTimeoutException timedOut) {
      return false;
    } catch (IOException closed) {
      return true;
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
