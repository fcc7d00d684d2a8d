package io.parley;

import static io.parley.testing.WsClient.frame;
import static io.parley.testing.WsClient.reply;
import static io.parley.testing.WsClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.WsClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The WebSocket connection: its handshake, hello, ping, framing limits, replacement and heartbeats. */
class WebSocketConnectionIT extends SharedChatNode {
  @Test
  void helloComesFirstAndNamesTheUserAndDevice() {
    String alice = user("alice");
    try (WsClient ws = WsClient.connect(node, api.token(alice), "phone")) {
      JsonNode hello = ws.await(f -> true);
      assertEquals("hello", hello.get("type").asText());
      assertEquals(alice, hello.get("user_id").asText());
      assertEquals("phone", hello.get("device_id").asText());
      assertEquals(2000, hello.get("heartbeat_ms").asLong());
      assertTrue(Math.abs(hello.get("server_time").asLong() - System.currentTimeMillis()) < 60_000);
    }
  }

  @Test
  void aBadTokenIsRefusedWith401BeforeTheUpgrade() {
    for (String token : new String[] {null, "garbage", api.token("alice") + "x"}) {
      CompletionException failure = assertThrows(CompletionException.class,
          () -> WsClient.connect(node.ws("device_id=phone"), token));
      WebSocketHandshakeException handshake = (WebSocketHandshakeException) failure.getCause();
      assertEquals(401, handshake.getResponse().statusCode());
    }
    // The query parameter works for browsers.
    try (WsClient ws = WsClient.connect(node.ws("device_id=web&access_token=" + api.token("alice")), null)) {
      assertEquals("hello", ws.await(f -> true).get("type").asText());
    }
    CompletionException badDevice = assertThrows(CompletionException.class,
        () -> WsClient.connect(node.ws("device_id=bad%20device"), api.token("alice")));
    assertEquals(400, ((WebSocketHandshakeException) badDevice.getCause()).getResponse().statusCode());
  }

  @Test
  void pingIsAnsweredWithPongCarryingTheReqId() {
    try (WsClient ws = connect(user("alice"), "phone")) {
      ws.send(frame("ping").put("req_id", "p-1"));
      JsonNode pong = ws.await(WsClient.reply("p-1"));
      assertEquals("pong", pong.get("type").asText());
    }
  }

  @Test
  void aMessageInSeveralFramesIsReadWholeAndABinaryOneIsAnsweredWithAnError() {
    try (WsClient ws = connect(user("alice"), "phone")) {
      ws.sendInFrames("{\"type\":\"pi", "ng\",\"req_id\":\"in", "-parts\"}");
      ws.sendBinary(new byte[] {1, 2, 3});
      ws.send(frame("ping").put("req_id", "after"));

      // Answered in the order sent: the whole ping, the refused binary message, the next ping.
      assertEquals("pong", ws.await(reply("in-parts")).get("type").asText());
      JsonNode refused = ws.await(type("error"));
      assertEquals("bad_request", refused.get("code").asText());
      assertTrue(refused.get("message").asText().contains("binary"), refused.toString());
      assertEquals("pong", ws.await(reply("after")).get("type").asText());
      assertEquals(List.of("pong", "error", "pong"),
          ws.all().stream().map(f -> f.get("type").asText()).filter(t -> t.equals("pong") || t.equals("error")).toList());
    }
  }

  @Test
  void aFrameOver64KiBClosesOnlyItsConnectionWithCode1009AndTheUserCanReconnect() {
    String alice = user("alice");
    // Every connection runs the same WebSocket stack blueprint: closing one must not touch another.
    try (WsClient laptop = connect(alice, "laptop")) {
      WsClient ws = connect(alice, "phone");
      ws.send(send(directId(alice, user("bob")), "big", "z".repeat(70_000)).toString());
      assertEquals(1009, ws.awaitClose());
      assertFalse(laptop.isClosed());
      assertEquals("pong", laptop.request(frame("ping")).get("type").asText());
      try (WsClient again = connect(alice, "phone")) {
        assertEquals("pong", again.request(frame("ping")).get("type").asText());
      }
    }
  }

  @Test
  void aMessageOver64KiBInFramesUnderItClosesWithCode1009AndNothingIsStored() {
    String alice = user("alice");
    String conversation = directId(alice, user("bob"));
    WsClient ws = connect(alice, "phone");
    assertEquals("msg.ack", ws.request(send(conversation, "small", "before")).get("type").asText());
    String big = send(conversation, "big-in-parts", "z".repeat(70_000)).toString();
    ws.sendInFrames(big.substring(0, 35_000), big.substring(35_000));
    assertEquals(1009, ws.awaitClose());
    try (WsClient again = connect(alice, "phone")) {
      JsonNode messages = again.request(frame("history.get").put("conversation_id", conversation)).get("messages");
      assertEquals(1, messages.size(), messages.toString());
      assertEquals("before", messages.get(0).get("content").asText());
    }
  }

  @Test
  void reconnectingWithTheSameDeviceIdClosesTheOlderConnection() {
    String alice = user("alice");
    WsClient first = connect(alice, "phone");
    try (WsClient second = connect(alice, "phone")) {
      first.awaitClose();
      assertEquals("pong", second.request(frame("ping")).get("type").asText());
    }
  }

  @Test
  void theServerPingsAndClosesAClientSilentForTwiceTheHeartbeat() {
    // java.net.http answers pings with pongs; to be silent, this client uses a raw socket.
    try (RawWebSocket raw = RawWebSocket.open(node.httpPort, "/v1/ws?device_id=mute&access_token=" + api.token(user("mute")))) {
      assertTrue(raw.readsUntilClose(Duration.ofSeconds(15)), "server closed the idle connection");
      assertTrue(raw.opcodes.contains(0x9), "server sent heartbeat pings first: " + raw.opcodes);
      assertEquals(0x8, raw.opcodes.get(raw.opcodes.size() - 1), "with a close frame");
    }
  }

  @Test
  void aClientThatAnswersPingsStaysConnected() {
    // java.net.http answers pings automatically, and sends nothing else here.
    try (WsClient ws = connect(user("quiet"), "phone")) {
      // Three heartbeats without a frame from the application: its pongs keep it open.
      assertFalse(ws.closesWithin(Duration.ofSeconds(6)));
      assertEquals("pong", ws.request(frame("ping")).get("type").asText());
    }
  }
}
