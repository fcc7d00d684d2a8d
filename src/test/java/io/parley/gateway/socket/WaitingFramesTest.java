package io.parley.gateway.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.gateway.session.SocketOutput;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class WaitingFramesTest {
  @Test
  void textsAreCountedInTheirUtf8BytesUntilTheyAreTaken() {
    WaitingFrames waiting = new WaitingFrames(10, 1000);
    assertEquals(WaitingFrames.Added.ADDED, waiting.add(new SocketOutput.Text("é".repeat(100))));
    assertEquals(200, waiting.bytes());
    assertEquals(ByteString.fromString("é".repeat(100)), waiting.peek());
    waiting.removeFirst();
    assertEquals(0, waiting.bytes());
  }

  @Test
  void pastTheByteBoundATextIsRefusedAndNothingChanges() {
    WaitingFrames waiting = new WaitingFrames(10, 1000);
    waiting.add(new SocketOutput.Text("a".repeat(600)));
    assertEquals(WaitingFrames.Added.TOO_MANY_BYTES, waiting.add(new SocketOutput.Text("b".repeat(600))));
    assertEquals(600, waiting.bytes());
    assertEquals(1, waiting.size());
  }

  @Test
  void oneTextLargerThanTheBoundIsTakenWhenNothingElseWaits() {
    WaitingFrames waiting = new WaitingFrames(10, 1000);
    assertEquals(WaitingFrames.Added.ADDED, waiting.add(new SocketOutput.Text("a".repeat(5000))));
    assertEquals(WaitingFrames.Added.TOO_MANY_BYTES, waiting.add(new SocketOutput.Text("b")));
  }

  @Test
  void behindAboveAQuarterOfTheByteBound() {
    WaitingFrames waiting = new WaitingFrames(10, 1000);
    waiting.add(new SocketOutput.Text("a".repeat(250)));
    assertFalse(waiting.isBehind());
    waiting.add(new SocketOutput.Text("b"));
    assertTrue(waiting.isBehind());
    waiting.removeFirst();
    assertFalse(waiting.isBehind());
  }

  @Test
  void framesBeingOpenedCountAsFramesAndTheBoundInFramesHolds() {
    WaitingFrames waiting = new WaitingFrames(2, 1000);
    waiting.add(new SocketOutput.Opening(new CompletableFuture<>()));
    waiting.add(new SocketOutput.Complete());
    assertEquals(0, waiting.bytes());
    assertEquals(WaitingFrames.Added.TOO_MANY_FRAMES, waiting.add(new SocketOutput.Text("c")));
    assertInstanceOf(SocketOutput.Opening.class, waiting.peek());
    waiting.removeFirst();
    assertInstanceOf(SocketOutput.Complete.class, waiting.peek());
  }

  /** The connection counts its own frames the socket took (see SocketOutput#hasRoom), not the replies. */
  @Test
  void aReplyWaitsAndCountsLikeATextButIsNotTheConnections() {
    WaitingFrames waiting = new WaitingFrames(3, 1000);
    waiting.add(new SocketOutput.Text("event"));
    assertEquals(WaitingFrames.Added.ADDED, waiting.addReply("pong"));
    assertEquals(WaitingFrames.Added.TOO_MANY_BYTES, waiting.addReply("x".repeat(1000)));
    assertEquals(9, waiting.bytes());
    assertTrue(waiting.removeFirst(), "the event is the connection's");
    assertEquals(ByteString.fromString("pong"), waiting.peek());
    assertFalse(waiting.removeFirst(), "the reply is not");
    assertEquals(0, waiting.bytes());
    assertFalse(waiting.removeFirst(), "nothing was left");
  }
}
