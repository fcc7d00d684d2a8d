package io.parley.gateway.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.gateway.session.Connection;
import io.parley.gateway.session.SocketOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameHandler;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.Protocol;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import scala.Option;

/** The socket's stage between pekko-http's frame handling and the connection, run on a real materializer. */
class ClientSocketStageTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private final TestProbe<Object> connection = testKit.createTestProbe();
  private final FrameGuard guard = new FrameGuard();
  /** The client's messages as they were handed to be answered, and each one's answer. */
  private final BlockingQueue<String> asked = new LinkedBlockingQueue<>();
  private final Map<String, CompletableFuture<Optional<String>>> answers = new ConcurrentHashMap<>();
  private BoundedSourceQueue<FrameHandler.Output> client;
  private SinkQueueWithCancel<Object> socket;
  private Consumer<SocketOutput.Outbound> frames;

  private void start(long maxMessageBytes) {
    start(maxMessageBytes, ClientSocketStage.MAX_PENDING_OUTPUT_BYTES);
  }

  private void start(long maxMessageBytes, long maxPendingOutputBytes) {
    ClientSocketStage stage = new ClientSocketStage(connection.ref(), text -> {
      // The answer exists before the test hears of the message, so it can complete it at once.
      CompletableFuture<Optional<String>> answer = answers.computeIfAbsent(text, t -> new CompletableFuture<>());
      asked.add(text);
      if (text.equals("throws")) {
        throw new IllegalStateException("a bug, say");
      }
      return answer;
    }, guard, maxMessageBytes, maxPendingOutputBytes);
    Pair<BoundedSourceQueue<FrameHandler.Output>, SinkQueueWithCancel<Object>> running =
        Source.<FrameHandler.Output>queue(10_000)
            .via(Flow.fromGraph(stage))
            // The socket takes a frame only when the test reads one.
            .toMat(Sink.<Object>queue().addAttributes(Attributes.inputBuffer(1, 1)), Keep.both())
            .run(testKit.system());
    client = running.first();
    socket = running.second();
    frames = connection.expectMessageClass(Connection.Attach.class).outbound();
  }

  private void message(String text) {
    client.offer(new FrameHandler.TextMessagePart(text, true));
    client.offer(FrameHandler.MessageEnd$.MODULE$);
  }

  private String nextAsked() throws InterruptedException {
    String text = asked.poll(5, TimeUnit.SECONDS);
    assertTrue(text != null, "a message was handed on");
    return text;
  }

  /** What the socket takes next; empty once the stage is done. */
  private Optional<Object> written() throws Exception {
    return socket.pull().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static String text(Optional<Object> frame) {
    FrameStart start = assertInstanceOf(FrameStart.class, frame.orElseThrow());
    assertEquals(1, start.header().opcode().code(), "a text frame");
    return start.data().utf8String();
  }

  private static int closeCode(Optional<Object> item) {
    FrameHandler.ActivelyCloseWithCode close = assertInstanceOf(FrameHandler.ActivelyCloseWithCode.class, item.orElseThrow());
    return (Integer) close.code().get();
  }

  /** A pong for a client's ping, as pekko-http's frame handling hands it up. */
  private static FrameHandler.DirectAnswer pong(String payload) {
    return new FrameHandler.DirectAnswer(FrameEvent$.MODULE$.fullFrame(
        Protocol.Opcode$.MODULE$.forCode((byte) 0xA), Option.empty(), ByteString.fromString(payload),
        true, false, false, false));
  }

  /** The opcode of a frame the socket took: text frames come as they are, pings and pongs as direct answers. */
  private static int opcode(Object item) {
    Object frame = item instanceof FrameHandler.DirectAnswer answer ? answer.frame() : item;
    return assertInstanceOf(FrameStart.class, frame).header().opcode().code();
  }

  /** Everything the socket takes until the stage is done. */
  private List<Object> writtenUntilDone() throws Exception {
    List<Object> taken = new ArrayList<>();
    Optional<Object> item;
    while ((item = written()).isPresent()) {
      taken.add(item.get());
    }
    return taken;
  }

  private void awaitClientSize(IntPredicate settled) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!settled.test(client.size())) {
      assertTrue(System.nanoTime() < deadline, "the stage read from the client: " + client.size() + " left");
      Thread.onSpinWait();
    }
  }

  private <T> T nextToConnection(Class<T> type) {
    // Written notices come between the messages a test waits for.
    Object message = connection.fishForMessage(Duration.ofSeconds(5),
        m -> type.isInstance(m) ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
    return type.cast(message);
  }

  /** The connection's hello goes out, and with it the replies that waited for it. */
  private void helloIsOut() throws Exception {
    frames.accept(new SocketOutput.Text("hello", true));
    assertEquals("hello", text(written()));
  }

  /** The next reply the socket takes (replies go straight to the socket once hello is out). */
  private String nextReply() throws Exception {
    return text(written());
  }

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
  void theClientsCloseIsPassedOnWithThisSideDone() throws Exception {
    start(1000);
    client.offer(new FrameHandler.PeerClosed(Option.apply((Object) 1000), ""));
    assertInstanceOf(FrameHandler.PeerClosed.class, written().orElseThrow());
    assertEquals(FrameHandler.UserHandlerCompleted$.MODULE$, written().orElseThrow());
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
