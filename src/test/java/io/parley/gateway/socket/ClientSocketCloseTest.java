package io.parley.gateway.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.gateway.session.Connection;
import io.parley.gateway.session.SocketOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.impl.engine.ws.FrameHandler;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import scala.Option;

/** How the socket's stage closes: on a failed request, an oversized message, either side's close, with the codes the protocol names. */
class ClientSocketCloseTest extends ClientSocketStageFixture {
  @Test
  void aRequestThatFailsClosesTheConnectionWith1011() throws Exception {
    start(1000);
    message("fails");
    assertEquals("fails", nextAsked());
    answers.get("fails").completeExceptionally(new IllegalStateException("a bug, say"));
    assertEquals(FrameGuard.CLOSE_INTERNAL_ERROR, closeCode(written()));
    assertEquals(Optional.empty(), written());
  }

  @Test
  void aRequestThatThrowsClosesTheConnectionWith1011Too() throws Exception {
    start(1000);
    message("throws");
    assertEquals(FrameGuard.CLOSE_INTERNAL_ERROR, closeCode(written()));
    assertEquals(Optional.empty(), written());
    nextToConnection(Connection.Closed.class);
  }

  @Test
  void aBinaryMessageIsAnsweredWithAnErrorInItsTurn() throws Exception {
    start(1000);
    helloIsOut();
    client.offer(new FrameHandler.BinaryMessagePart(ByteString.fromString("x"), true));
    client.offer(FrameHandler.MessageEnd$.MODULE$);
    String reply = nextReply();
    assertTrue(reply.contains("bad_request") && reply.contains("binary"), reply);
  }

  @Test
  void aMessageThatGrowsPastTheLimitClosesWith1009AndIsNotAnswered() throws Exception {
    start(10);
    client.offer(new FrameHandler.TextMessagePart("12345678", false));
    client.offer(new FrameHandler.TextMessagePart("9012", true));
    client.offer(FrameHandler.MessageEnd$.MODULE$);
    assertEquals(FrameGuard.CLOSE_TOO_BIG, closeCode(written()));
    assertEquals(Optional.empty(), written());
    nextToConnection(Connection.Closed.class);
    assertTrue(asked.isEmpty(), "nothing was handed on: " + asked);
  }

  @Test
  void aCloseGoesAheadOfWaitingFramesAndEndsTheSocket() throws Exception {
    start(1000);
    List<Object> taken = new ArrayList<>();
    frames.accept(new SocketOutput.Text("waiting 1"));
    frames.accept(new SocketOutput.Text("waiting 2"));
    guard.close(FrameGuard.CLOSE_GOING_AWAY, "idle");
    // The socket may have taken the first frame before the close; never the second.
    Optional<Object> item;
    while ((item = written()).isPresent()) {
      taken.add(item.get());
    }
    Object last = taken.get(taken.size() - 1);
    assertEquals(FrameGuard.CLOSE_GOING_AWAY, closeCode(Optional.of(last)));
    assertTrue(taken.size() <= 2, "at most the first frame went before the close: " + taken);
    nextToConnection(Connection.Closed.class);
  }

  @Test
  void theClientsCloseIsPassedOnWithThisSideDone() throws Exception {
    start(1000);
    client.offer(new FrameHandler.PeerClosed(Option.apply((Object) 1000), ""));
    assertInstanceOf(FrameHandler.PeerClosed.class, written().orElseThrow());
    assertEquals(FrameHandler.UserHandlerCompleted$.MODULE$, written().orElseThrow());
  }

  @Test
  void aCloseFromTheConnectionGoesAheadOfWaitingFrames() throws Exception {
    start(1000);
    frames.accept(new SocketOutput.Text("waiting 1"));
    frames.accept(new SocketOutput.Text("waiting 2"));
    frames.accept(new SocketOutput.Close(FrameGuard.CLOSE_POLICY_VIOLATION, "too much before hello"));
    List<Object> taken = writtenUntilDone();
    assertEquals(FrameGuard.CLOSE_POLICY_VIOLATION, closeCode(Optional.of(taken.get(taken.size() - 1))));
    assertTrue(taken.size() <= 2, "at most the first frame went before the close: " + taken);
  }
}
