package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.WsClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request's head must arrive in time, however many bytes of it trickle in: before, a header
 * sent a byte at a time counted as traffic for pekko-http's idle timeout and held its connection
 * (and a place in the node's limit) for as long as the client kept it up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestHeadDeadlineIT {
  static final Duration HEAD_TIMEOUT = Duration.ofSeconds(2);
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);
  /** Far past both deadlines: a connection still open then was not closed by them. */
  static final Duration GIVE_UP = Duration.ofSeconds(15);

  ParleyProcess node;
  ApiClient api;

  @BeforeAll
  void start(@TempDir Path temp) {
    node = ParleyProcess.start(temp, Map.of(
        "PARLEY_HTTP_REQUEST_HEAD_TIMEOUT", HEAD_TIMEOUT.toSeconds() + "s",
        "PARLEY_HTTP_IDLE_TIMEOUT", IDLE_TIMEOUT.toSeconds() + "s",
        "PARLEY_HEARTBEAT", "1s"));
    api = new ApiClient(node);
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aFirstHeadSentAByteAtATimeIsClosedWhileABodyAndAWebSocketMayTakeTheirTime() throws Exception {
    String token = api.token("patient");
    long opened = System.nanoTime();
    try (WsClient ws = WsClient.connect(node, token, "phone");
        Socket upload = new Socket("127.0.0.1", node.httpPort);
        Socket slow = new Socket("127.0.0.1", node.httpPort)) {
      ws.await(WsClient.type("hello"));
      // An upload whose head is in at once and whose body comes only after the slow head is closed.
      byte[] body = "ten bytes!".getBytes(StandardCharsets.US_ASCII);
      upload.getOutputStream().write(("POST /v1/media HTTP/1.1\r\nHost: parley\r\nAuthorization: Bearer " + token
          + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));

      long tookMs = trickleUntilClosed(slow, "GET /v1/inbox HTTP/1.1\r\nHost: parley\r\nX-Slow: ", opened);
      assertTrue(tookMs >= HEAD_TIMEOUT.toMillis(), "closed " + tookMs + " ms after it opened, not before its deadline");

      upload.getOutputStream().write(body);
      upload.setSoTimeout(10_000);
      String status = new BufferedReader(new InputStreamReader(upload.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
      assertEquals("HTTP/1.1 200 OK", status, "a body that took longer than the head deadline was taken");
      assertFalse(ws.isClosed());
      assertEquals("pong", ws.request(WsClient.frame("ping")).get("type").asText());
    }
  }

  @Test
  void aKeptAliveConnectionMustSendItsNextHeadInTime() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", node.httpPort)) {
      long asked = System.nanoTime();
      socket.getOutputStream().write("GET /v1/inbox HTTP/1.1\r\nHost: parley\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.setSoTimeout(10_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      assertEquals("HTTP/1.1 401 Unauthorized", in.readLine());
      long tookMs = trickleUntilClosed(socket, "GET /v1/inbox HTTP/1.1\r\nHost: parley\r\nX-Slow: ", asked);
      assertTrue(tookMs >= IDLE_TIMEOUT.toMillis(),
          "closed " + tookMs + " ms after the first request, before its deadline");
    }
  }

  /**
   * Sends {@code head}, then one more header byte every 100 ms (so the connection is never idle)
   * until the server closes the connection; the milliseconds from {@code start} to then.
   */
  private static long trickleUntilClosed(Socket socket, String head, long start) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    socket.setSoTimeout(100);
    while (System.nanoTime() - start < GIVE_UP.toNanos()) {
      try {
        out.write('a');
        out.flush();
        int read = socket.getInputStream().read();
        if (read == -1) {
          return Duration.ofNanos(System.nanoTime() - start).toMillis();
        }
        // Bytes of an answer: the node took what it had as a request, which it must not.
        throw new AssertionError("the node answered a request whose head never ended");
      } catch (SocketTimeoutException stillOpen) {
        // the pace of the trickle
      } catch (SocketException closed) {
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
      }
    }
    throw new AssertionError("a head sent a byte at a time kept its connection for " + GIVE_UP.toSeconds() + " s");
  }
}
