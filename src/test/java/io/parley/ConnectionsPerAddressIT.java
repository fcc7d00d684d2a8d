package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.WsClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One client address cannot take every connection of a node: before this share, 1,200 connections
 * from one address that never finished a request (a node with PARLEY_MAX_CONNECTIONS=50, so
 * pekko-http's limit of 1,074) kept another address from getting an answer at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionsPerAddressIT {
  static final int SHARE = 20;
  static final InetAddress ONE = InetAddress.getLoopbackAddress();

  ParleyProcess node;
  ApiClient api;

  @BeforeAll
  void start(@TempDir Path temp) {
    // The limit on requests without a token lifted: the requests here have none, and it is not what is tested.
    node = ParleyProcess.start(temp, Map.of("PARLEY_MAX_CONNECTIONS_PER_ADDRESS", String.valueOf(SHARE),
        "PARLEY_EDGE_LIMIT_PER_SECOND", "1000", "PARLEY_EDGE_LIMIT_BURST", "1000"));
    api = new ApiClient(node);
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void connectionsThatNeverFinishARequestTakeOnlyTheirAddresssShare() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < SHARE; i++) {
        Socket socket = new Socket(ONE, node.httpPort);
        socket.setSoTimeout(10_000);
        held.add(socket);
        // The kernel completes a connection before the node takes it: an answer shows the node counts it.
        socket.getOutputStream().write(
            "GET /v1/inbox HTTP/1.1\r\nHost: parley\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String first = readAnswerHead(socket);
        assertTrue(first.startsWith("HTTP/1.1 401"), first);
        byte[] begunNeverFinished = "GET /v1/inbox HTTP/1.1\r\nHost: parley\r\n".getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(begunNeverFinished);
      }
      String refused = answer(ONE);
      assertTrue(refused.startsWith("HTTP/1.1 429"), refused);
      assertTrue(refused.contains("\"code\":\"rate_limited\""), refused);
      assertTrue(refused.contains("too many connections from this address"), refused);

      String other = answer(InetAddress.getByName("127.0.0.2"));
      assertTrue(other.startsWith("HTTP/1.1 401"), "another address is answered: " + other);
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
    // Their places come back as they close.
    String again = awaitAnswer(ONE, "HTTP/1.1 401");
    assertTrue(again.startsWith("HTTP/1.1 401"), again);
  }

  @Test
  void aWebSocketLeavesItsAddresssCountOnceUpgraded() throws Exception {
    List<WsClient> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < SHARE + 5; i++) {
        WsClient ws = WsClient.connect(node, api.token("many-" + i), "phone");
        ws.await(WsClient.type("hello"));
        sockets.add(ws);
      }
      String plain = answer(ONE);
      assertTrue(plain.startsWith("HTTP/1.1 401"), "the WebSockets are counted for their users, not here: " + plain);
    } finally {
      sockets.forEach(WsClient::close);
    }
  }

  /** Asks from {@code from} until the answer starts with {@code expected} or ten seconds pass; the last answer. */
  private String awaitAnswer(InetAddress from, String expected) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String answer;
    while (!(answer = answer(from)).startsWith(expected) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    return answer;
  }

  /** Reads one answer on a connection kept open: its head, and its body by Content-Length. */
  private static String readAnswerHead(Socket socket) throws IOException {
    var in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    var length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
    if (length.find()) {
      in.readNBytes(Integer.parseInt(length.group(1)));
    }
    return head.toString();
  }

  /** The first line and body of an answer to a request without a token, from {@code from}. */
  private String answer(InetAddress from) throws IOException {
    try (Socket socket = new Socket(ONE, node.httpPort, from, 0)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(
          "GET /v1/inbox HTTP/1.1\r\nHost: parley\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
