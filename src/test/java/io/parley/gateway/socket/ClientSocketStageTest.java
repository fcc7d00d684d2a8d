package io.parley.gateway.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.gateway.session.Connection;
import io.parley.gateway.session.SocketOutput;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The socket's stage: replies and frames leave in order, after hello, with a bounded number of requests running. */
class ClientSocketStageTest extends ClientSocketStageFixture {
  @Test
  void repliesLeaveInTheOrderOfTheirMessagesWhateverOrderTheyAreAnsweredIn() throws Exception {
    start(1000);
    helloIsOut();
    message("first");
    message("second");
    assertEquals("first", nextAsked());
    assertEquals("second", nextAsked()); // both are answered concurrently
    answers.get("second").complete(Optional.of("reply 2"));
    answers.get("first").complete(Optional.of("reply 1"));
    assertEquals("reply 1", nextReply());
    assertEquals("reply 2", nextReply());
  }

  @Test
  void aReplyWaitsForHelloOnlyAndThenLeavesAheadOfLaterFrames() throws Exception {
    start(1000);
    answers.put("ping", CompletableFuture.completedFuture(Optional.of("pong")));
    message("ping");
    assertEquals("ping", nextAsked());
    // A frame of the connection before hello (server.draining, say) does not let the reply go.
    frames.accept(new SocketOutput.Text("draining"));
    assertEquals("draining", text(written()));
    CompletableFuture<Optional<Object>> next = socket.pull().toCompletableFuture();
    nextToConnection(Connection.Written.class); // the draining frame's
    connection.expectNoMessage(Duration.ofMillis(200)); // nor is the reply handed to the connection
    assertTrue(!next.isDone(), "the reply waits for hello: " + next);
    frames.accept(new SocketOutput.Text("hello", true));
    frames.accept(new SocketOutput.Text("event"));
    assertEquals("hello", text(next.get(5, TimeUnit.SECONDS)));
    assertEquals("pong", text(written()));
    assertEquals("event", text(written()));
    // Once hello is out, a reply goes straight to the socket.
    answers.put("ping 2", CompletableFuture.completedFuture(Optional.of("pong 2")));
    message("ping 2");
    assertEquals("pong 2", text(written()));
  }

  @Test
  void aClientThatKeepsAskingBeforeHelloIsClosedRatherThanItsRepliesHeld() throws Exception {
    start(1000);
    for (int i = 0; i <= ClientSocketStage.REPLIES_BEFORE_HELLO; i++) {
      answers.put("ping " + i, CompletableFuture.completedFuture(Optional.of("pong")));
      message("ping " + i);
    }
    List<Object> taken = writtenUntilDone();
    assertEquals(1, taken.size(), "a close, and no reply: " + taken);
    assertEquals(FrameGuard.CLOSE_POLICY_VIOLATION, closeCode(Optional.of(taken.get(0))));
  }

  @Test
  void atMost64RequestsRunAtOnceAndTheSocketIsNotReadPastThem() throws Exception {
    start(1000);
    for (int i = 0; i <= ClientSocketStage.REQUESTS_IN_FLIGHT; i++) {
      message("m" + i);
    }
    for (int i = 0; i < ClientSocketStage.REQUESTS_IN_FLIGHT; i++) {
      assertEquals("m" + i, nextAsked());
    }
    // The 65th message (its part and its end) is still unread.
    assertEquals(2, client.size());
    answers.get("m0").complete(Optional.empty());
    assertEquals("m" + ClientSocketStage.REQUESTS_IN_FLIGHT, nextAsked());
  }

  @Test
  void framesLeaveInOrderAndOneWhoseContentIsBeingOpenedHoldsBackThoseAfterIt() throws Exception {
    start(1000);
    CompletableFuture<String> opening = new CompletableFuture<>();
    frames.accept(new SocketOutput.Text("one"));
    frames.accept(new SocketOutput.Opening(opening));
    frames.accept(new SocketOutput.Text("three"));
    assertEquals("one", text(written()));
    CompletableFuture<Optional<Object>> next = socket.pull().toCompletableFuture();
    opening.complete("two");
    assertEquals("two", text(next.get(5, TimeUnit.SECONDS)));
    assertEquals("three", text(written()));
    for (int i = 0; i < 3; i++) {
      nextToConnection(Connection.Written.class);
    }
  }
}
