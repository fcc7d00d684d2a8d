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
 * stuck client looks like to the server.
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
        in.skipNBytes(length);
        opcodes.add(opcode);
        if (opcode == 0x8) {
          return true;
        }
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
