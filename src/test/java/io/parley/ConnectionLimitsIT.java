package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.WsClient;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A node's connection limits, against the real jar: what is refused, and what is closed when idle. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionLimitsIT {
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);
  /** Ten times pekko-http's default accept queue, and within the node's connection limit. */
  static final int BURST = 1000;

  ParleyProcess node;
  ApiClient api;

  @BeforeAll
  void start(@TempDir Path temp) {
    node = ParleyProcess.start(temp, Map.of(
        "PARLEY_MAX_CONNECTIONS", "2",
        "PARLEY_HEARTBEAT", "1s",
        "PARLEY_HTTP_IDLE_TIMEOUT", IDLE_TIMEOUT.toSeconds() + "s"));
    api = new ApiClient(node);
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void oneWebSocketBeyondTheLimitIsRefusedAtOnceAndTheNextFitsOnceOneCloses() {
    String token = api.token("limited");
    try (WsClient first = WsClient.connect(node, token, "a");
        WsClient second = WsClient.connect(node, token, "b")) {
      first.await(WsClient.type("hello"));
      second.await(WsClient.type("hello"));
      assertEquals(503, refusedStatus(token, "c"));
      first.close();
      // The closed connection leaves the count once its socket is gone.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (true) {
        try (WsClient third = WsClient.connect(node, token, "c")) {
          third.await(WsClient.type("hello"));
          break;
        } catch (CompletionException stillFull) {
          assertTrue(System.nanoTime() < deadline, "a place freed up after a close");
          Thread.onSpinWait();
        }
      }
    }
  }

  @Test
  void anIdleHttpConnectionIsClosedButAWebSocketThatIsPingedStaysOpen() throws Exception {
    try (WsClient quiet = WsClient.connect(node, api.token("quiet"), "phone");
        Socket silent = new Socket("127.0.0.1", node.httpPort)) {
      quiet.await(WsClient.type("hello"));
      silent.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
      long start = System.nanoTime();
      assertTrue(closedByServer(silent.getInputStream()), "the server closed the connection that sent nothing");
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(tookMs < IDLE_TIMEOUT.toMillis() + 5000, "closed after " + tookMs + " ms");
      // Meanwhile the WebSocket, silent too but answering pings, was kept.
      assertFalse(quiet.isClosed());
      assertEquals("pong", quiet.request(WsClient.frame("ping")).get("type").asText());
    }
  }

  @Test
  void aBurstOfConnectionsWhileTheNodeIsBusyWaitsInTheAcceptQueueInsteadOfBeingDropped() throws Exception {
    // The OS caps the queue at net.core.somaxconn (4096 since Linux 5.4; 128 before).
    int somaxconn = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).get(0).trim());
    Assumptions.assumeTrue(somaxconn > BURST, "net.core.somaxconn " + somaxconn + " caps the accept queue below the burst");
    List<SocketChannel> burst = new ArrayList<>();
    node.pause();
    try (Selector selector = Selector.open()) {
      for (int i = 0; i < BURST; i++) {
        SocketChannel channel = SocketChannel.open();
        burst.add(channel);
        channel.configureBlocking(false);
        if (!channel.connect(new InetSocketAddress("127.0.0.1", node.httpPort))) {
          channel.register(selector, SelectionKey.OP_CONNECT);
        }
      }
      // pekko-http's own backlog of 100 held 101 of them; the others' handshakes were dropped,
      // to be tried again a second later, and again, for as long as the node is busy.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (connected(burst) < BURST && System.nanoTime() < deadline) {
        selector.select(100);
        for (SelectionKey key : selector.selectedKeys()) {
          ((SocketChannel) key.channel()).finishConnect();
          key.cancel();
        }
        selector.selectedKeys().clear();
      }
      assertEquals(BURST, connected(burst), "handshakes completed while the node was stopped");
    } finally {
      node.resume();
      for (SocketChannel channel : burst) {
        channel.close();
      }
    }
    // Taken from the queue, the node serves as before.
    try (WsClient after = WsClient.connect(node, api.token("after-burst"), "phone")) {
      after.await(WsClient.type("hello"));
    }
  }

  private static long connected(List<SocketChannel> channels) {
    return channels.stream().filter(SocketChannel::isConnected).count();
  }

  /** Reads until the server closes the connection (an end of stream or a reset); false on data. */
  private static boolean closedByServer(InputStream in) throws java.io.IOException {
    try {
      return in.read() == -1;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  /** The HTTP status a WebSocket handshake is refused with, within seconds. */
  private int refusedStatus(String token, String deviceId) {
    try {
      HttpClient.newHttpClient().newWebSocketBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .header("Authorization", "Bearer " + token)
          .buildAsync(node.ws("device_id=" + deviceId), new WebSocket.Listener() {})
          .orTimeout(10, TimeUnit.SECONDS)
          .join()
          .abort();
      throw new AssertionError("a connection beyond the limit was accepted");
    } catch (CompletionException refused) {
      assertTrue(refused.getCause() instanceof WebSocketHandshakeException, "refused, not hung: " + refused.getCause());
      return ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode();
    }
  }
}
