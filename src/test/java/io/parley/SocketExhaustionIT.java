package io.parley;

import static io.parley.testing.WsClient.frame;
import static io.parley.testing.WsClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.Poll;
import io.parley.testing.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One client must not exhaust a node (issue 39): against the real jar with a small heap, a client
 * that asks for far more than it reads, and one that floods pings, each on a socket that never
 * reads. Each is held back and closed, and the node goes on serving everyone else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SocketExhaustionIT {
  static final String NODE_HEAP = "-Xmx256m";
  /** The node's log line when it closes a client for the bytes it left unread. */
  static final Pattern CLOSED_FOR_BYTES = Pattern.compile("Closing a connection whose client left \\d+ bytes unread");

  ParleyProcess node;
  ApiClient api;

  @BeforeAll
  void start(@TempDir Path temp) {
    // A short heartbeat and HTTP idle timeout: a socket that is neither read nor reading is
    // closed within seconds.
    node = ParleyProcess.start(temp, Map.of("PARLEY_HEARTBEAT", "2s", "PARLEY_HTTP_IDLE_TIMEOUT", "6s"),
        List.of(NODE_HEAP));
    api = new ApiClient(node);
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static String user(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private RawWebSocket raw(String userId, String deviceId) {
    return RawWebSocket.open(node.httpPort, "/v1/ws?device_id=" + deviceId + "&access_token=" + api.token(userId));
  }

  @Test
  void aClientPipeliningLargeHistoryReadsItNeverReadsIsClosedWith1008AndTheNodeServesOn() throws Exception {
    String alice = user("alice");
    String conversation = SharedChatNode.directId(alice, user("bob"));
    // Control characters are written as 6-byte escapes: each message is some 24 KB of JSON.
    String heavy = "\u0001".repeat(4000);
    try (WsClient sender = WsClient.connect(node, api.token(alice), "phone")) {
      sender.await(type("hello"));
      for (int i = 0; i < 20; i++) {
        JsonNode ack = sender.request(frame("msg.send").put("conversation_id", conversation)
            .put("client_msg_id", "heavy-" + i).put("content", heavy));
        assertEquals("msg.ack", ack.get("type").asText(), ack.toString());
      }
    }
    try (RawWebSocket greedy = raw(alice, "greedy")) {
      byte[] read = RawWebSocket.textFrame(frame("history.get").put("conversation_id", conversation)
          .put("limit", 200).toString());
      CompletableFuture<Void> asking = CompletableFuture.runAsync(() -> {
        try {
          for (int i = 0; i < 800; i++) {
            greedy.write(read);
          }
        } catch (IOException closed) {
          // The node closed the socket before all were written.
        }
      });
      awaitLogLine(CLOSED_FOR_BYTES, Duration.ofSeconds(40));
      // Reading now lets out what the socket still holds, and then the close frame, unless the
      // node, its close unanswered for its close timeout, has dropped the connection already.
      assertTrue(greedy.readsUntilClose(Duration.ofSeconds(20)), "the node closed the connection");
      if (greedy.opcodes.contains(0x8)) {
        assertEquals(1008, greedy.closeCode, "closed as a policy violation after " + greedy.opcodes.size() + " frames");
      }
      asking.get(20, TimeUnit.SECONDS);
    }
    assertTheNodeServesOthers();
  }

  @Test
  void aPingFloodOnASocketThatNeverReadsIsNoLongerReadAndIsClosed() throws Exception {
    int batches = 200;
    byte[] thousandPings = RawWebSocket.frames(0x9, new byte[125], 1000);
    try (RawWebSocket flood = raw(user("pinger"), "flood")) {
      CompletableFuture<Integer> pinging = CompletableFuture.supplyAsync(() -> {
        int written = 0;
        try {
          for (; written < batches; written++) {
            flood.write(thousandPings);
          }
        } catch (IOException closed) {
          // The node stopped reading, then closed the socket.
        }
        return written;
      });
      int written = pinging.get(45, TimeUnit.SECONDS);
      assertTrue(written < batches, "the node stopped reading the pings and closed the socket after "
          + written + " thousand of " + batches + " thousand");
    }
    assertTheNodeServesOthers();
  }

  private void assertTheNodeServesOthers() throws Exception {
    assertTrue(node.isAlive(), "the node is alive; " + node.recentWarnings());
    assertEquals(200, node.managementStatus("/ready"));
    String carol = user("carol");
    try (WsClient fresh = WsClient.connect(node, api.token(carol), "phone")) {
      fresh.await(type("hello"));
      JsonNode ack = fresh.request(frame("msg.send").put("conversation_id", SharedChatNode.directId(carol, user("dave")))
          .put("client_msg_id", "after").put("content", "still here"));
      assertEquals("msg.ack", ack.get("type").asText(), ack.toString());
    }
    assertTrue(node.isAlive(), "the node is alive; " + node.recentWarnings());
  }

  private void awaitLogLine(Pattern text, Duration timeout) {
    Poll.until(timeout, () -> {
      assertTrue(node.isAlive(), "the node died; " + node.recentWarnings());
      try {
        return Files.readAllLines(node.logFile()).stream().anyMatch(line -> text.matcher(line).find());
      } catch (IOException unreadable) {
        throw new UncheckedIOException(unreadable);
      }
    });
  }
}
