package io.parley.gateway.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.gateway.session.Connection;
import io.parley.gateway.session.SocketOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.junit.jupiter.api.Test;

/**
 * A client that reads slowly or floods: the stage bounds what waits for the socket, closes a
 * client that leaves too much unread, and stops reading requests while output waits.
 */
class ClientSocketBackpressureTest extends ClientSocketStageFixture {
  @Test
  void aClientThatLeavesTooManyFramesUnreadIsClosed() throws Exception {
    start(1000);
    for (int i = 0; i <= ClientSocketStage.OUTBOUND_BUFFER + 1; i++) {
      frames.accept(new SocketOutput.Text("frame " + i));
    }
    Optional<Object> item;
    Object last = null;
    int texts = 0;
    while ((item = written()).isPresent()) {
      last = item.get();
      texts += last instanceof FrameStart ? 1 : 0;
    }
    assertEquals(FrameGuard.CLOSE_INTERNAL_ERROR, closeCode(Optional.of(last)));
    assertTrue(texts <= 1, "the waiting frames were dropped: " + texts);
  }

  @Test
  void framesPastTheByteCapCloseTheConnectionWith1008AndWhatWaitedIsDropped() throws Exception {
    start(1000, 1000);
    for (int i = 0; i < 5; i++) {
      frames.accept(new SocketOutput.Text(String.valueOf(i).repeat(400)));
    }
    List<Object> taken = writtenUntilDone();
    assertEquals(FrameGuard.CLOSE_POLICY_VIOLATION, closeCode(Optional.of(taken.get(taken.size() - 1))));
    // The socket may have taken the first frame before the others came; never all of them.
    assertTrue(taken.size() <= 3, "at most the frames within the cap went before the close: " + taken.size());
    nextToConnection(Connection.Closed.class);
  }

  @Test
  void oneFrameLargerThanTheCapStillGoesOutWhenNothingElseWaits() throws Exception {
    start(1000, 1000);
    frames.accept(new SocketOutput.Text("y".repeat(5000)));
    assertEquals(5000, text(written()).length());
  }

  @Test
  void whileOutputWaitsAboveTheLowWaterMarkNoMoreRequestsAreRead() throws Exception {
    start(1000, 4000);
    message("first");
    assertEquals("first", nextAsked());
    // Two frames above the low-water mark (a quarter of the cap): one waits whatever the socket took.
    frames.accept(new SocketOutput.Text("a".repeat(1500)));
    frames.accept(new SocketOutput.Text("b".repeat(1500)));
    assertTrue(nextToConnection(Connection.Backlog.class).behind());
    message("second");
    // The pull made before the output fell behind takes the message's first part, nothing more.
    awaitClientSize(size -> size < 2);
    assertEquals(1, client.size(), "the end of the message is not read");
    assertTrue(asked.isEmpty(), "nothing more was handed on: " + asked);
    assertEquals(1500, text(written()).length());
    assertEquals(1500, text(written()).length());
    assertEquals("second", nextAsked());
    assertTrue(!nextToConnection(Connection.Backlog.class).behind());
  }

  @Test
  void aPingFloodIsNotReadWhileItsPongWaitsForTheSocket() throws Exception {
    start(1000);
    for (int i = 0; i < 100; i++) {
      client.offer(pong("ping " + i));
    }
    // The socket reads nothing: a pong it took and one waiting, so the rest stays unread.
    awaitClientSize(size -> size <= 98);
    assertEquals(98, client.size(), "the pings after the waiting pong's were not read");
    // Each pong the socket takes lets one more ping be read.
    assertEquals(0xA, opcode(written().orElseThrow()));
    awaitClientSize(size -> size <= 97);
    assertEquals(97, client.size());
    guard.close(FrameGuard.CLOSE_GOING_AWAY, "idle");
    List<Object> taken = writtenUntilDone();
    assertEquals(FrameGuard.CLOSE_GOING_AWAY, closeCode(Optional.of(taken.get(taken.size() - 1))));
    assertTrue(taken.size() <= 3, "at most two pongs before the close: " + taken.size());
  }

  @Test
  void theServersPingsWaitingForTheSocketAreCoalesced() throws Exception {
    start(1000);
    for (int i = 0; i < 10; i++) {
      guard.ping();
    }
    frames.accept(new SocketOutput.Text("after the pings"));
    List<Integer> pings = new ArrayList<>();
    Optional<Object> item;
    while (opcode((item = written()).orElseThrow()) != 1) {
      pings.add(opcode(item.get()));
    }
    assertEquals("after the pings", text(item));
    assertTrue(pings.size() <= 2 && pings.stream().allMatch(code -> code == 9), "at most two pings: " + pings);
  }
}
