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
import org.junit.jupiter.api.BeforeAll;
import scala.Option;

/**
 * What the tests of the socket's stage share: the stage between a client queue standing in for
 * pekko-http's frame handling and a socket queue, run on a real materializer, the connection a
 * probe, and the steps that read what the stage writes.
 */
abstract class ClientSocketStageFixture {
  /** One per test class (JUnit runs these for each class that extends the fixture). */
  static ActorTestKit testKit;

  @BeforeAll
  static void startKit() {
    testKit = ActorTestKit.create();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  final TestProbe<Object> connection = testKit.createTestProbe();
  final FrameGuard guard = new FrameGuard();
  /** The client's messages as they were handed to be answered, and each one's answer. */
  final BlockingQueue<String> asked = new LinkedBlockingQueue<>();
  final Map<String, CompletableFuture<Optional<String>>> answers = new ConcurrentHashMap<>();
  BoundedSourceQueue<FrameHandler.Output> client;
  SinkQueueWithCancel<Object> socket;
  Consumer<SocketOutput.Outbound> frames;

  void start(long maxMessageBytes) {
    start(maxMessageBytes, ClientSocketStage.MAX_PENDING_OUTPUT_BYTES);
  }

  void start(long maxMessageBytes, long maxPendingOutputBytes) {
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

  void message(String text) {
    client.offer(new FrameHandler.TextMessagePart(text, true));
    client.offer(FrameHandler.MessageEnd$.MODULE$);
  }

  String nextAsked() throws InterruptedException {
    String text = asked.poll(5, TimeUnit.SECONDS);
    assertTrue(text != null, "a message was handed on");
    return text;
  }

  /** What the socket takes next; empty once the stage is done. */
  Optional<Object> written() throws Exception {
    return socket.pull().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  static String text(Optional<Object> frame) {
    FrameStart start = assertInstanceOf(FrameStart.class, frame.orElseThrow());
    assertEquals(1, start.header().opcode().code(), "a text frame");
    return start.data().utf8String();
  }

  static int closeCode(Optional<Object> item) {
    FrameHandler.ActivelyCloseWithCode close = assertInstanceOf(FrameHandler.ActivelyCloseWithCode.class, item.orElseThrow());
    return (Integer) close.code().get();
  }

  /** A pong for a client's ping, as pekko-http's frame handling hands it up. */
  static FrameHandler.DirectAnswer pong(String payload) {
    return new FrameHandler.DirectAnswer(FrameEvent$.MODULE$.fullFrame(
        Protocol.Opcode$.MODULE$.forCode((byte) 0xA), Option.empty(), ByteString.fromString(payload),
        true, false, false, false));
  }

  /** The opcode of a frame the socket took: text frames come as they are, pings and pongs as direct answers. */
  static int opcode(Object item) {
    Object frame = item instanceof FrameHandler.DirectAnswer answer ? answer.frame() : item;
    return assertInstanceOf(FrameStart.class, frame).header().opcode().code();
  }

  /** Everything the socket takes until the stage is done. */
  List<Object> writtenUntilDone() throws Exception {
    List<Object> taken = new ArrayList<>();
    Optional<Object> item;
    while ((item = written()).isPresent()) {
      taken.add(item.get());
    }
    return taken;
  }

  void awaitClientSize(IntPredicate settled) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!settled.test(client.size())) {
      assertTrue(System.nanoTime() < deadline, "the stage read from the client: " + client.size() + " left");
      Thread.onSpinWait();
    }
  }

  <T> T nextToConnection(Class<T> type) {
    // Written notices come between the messages a test waits for.
    Object message = connection.fishForMessage(Duration.ofSeconds(5),
        m -> type.isInstance(m) ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
    return type.cast(message);
  }

  /** The connection's hello goes out, and with it the replies that waited for it. */
  void helloIsOut() throws Exception {
    frames.accept(new SocketOutput.Text("hello", true));
    assertEquals("hello", text(written()));
  }

  /** The next reply the socket takes (replies go straight to the socket once hello is out). */
  String nextReply() throws Exception {
    return text(written());
  }
}
