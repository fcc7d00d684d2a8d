package io.parley.gateway.socket;

import io.parley.gateway.session.ClientFrames;
import io.parley.gateway.session.Connection;
import io.parley.gateway.session.FrameGate;
import io.parley.gateway.session.SocketOutput;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameHandler;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.Protocol;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * One client's WebSocket above pekko-http's frame handling (see {@link FrameGuard#around}): whole
 * text messages in, each answered through {@link ClientFrames}, and the {@link Connection}'s
 * frames out. It takes the place of pekko-http's message layer and of the stages Parley ran on
 * top of it: that layer split every message into substreams of its own and kept a timer ticking
 * on every socket, and an idle connection held many more stage logics (docs/performance.md, the
 * twelfth sitting).
 *
 * <ul>
 *   <li>Requests of one connection run concurrently (so pipelined sends share a write), at most
 *       {@link #REQUESTS_IN_FLIGHT}: past that, nothing more is read from the socket. Replies
 *       still leave in the order the messages came, which keeps acks and reads durable before any
 *       later frame is answered. They go straight to the socket once the connection's hello is
 *       out; before it they wait here, at most {@link #REPLIES_BEFORE_HELLO} of them and the byte
 *       cap: a client that keeps asking while hello is slow to come is closed (1008), not held.
 *   <li>Frames of the connection wait here for the socket, at most {@link #OUTBOUND_BUFFER} of
 *       them and at most the stage's byte cap (one frame larger than the cap goes when nothing
 *       else waits): a client that reads slower than that is closed (1011 past the count, 1008
 *       past the bytes), and reconnects. What it missed is stored, and it resumes from its acks.
 *   <li>While more than a quarter of the byte cap waits, nothing more is read from the socket:
 *       a client that pipelines requests faster than it reads their replies slows itself down.
 *       The connection is told when output falls behind and catches up (see {@link
 *       Connection.Backlog}), so that a re-delivery waits too.
 *   <li>Control frames (pongs, pings, a close) go before waiting text frames: every frame is
 *       whole, so nothing is cut in two. A close ends the socket once its frame is out. At most
 *       one pong waits, for the latest ping (RFC 6455 §5.5.3 allows answering only that one),
 *       and nothing is read while it waits, so a flood of pings stays in the client's own socket;
 *       the server's pings waiting are one too.
 * </ul>
 */
public final class ClientSocketStage extends GraphStage<FlowShape<FrameHandler.Output, Object>> {
  /** Requests of one connection answered concurrently before its socket is no longer read. */
  static final int REQUESTS_IN_FLIGHT = 64;
  /** Frames waiting for a slow socket; a replay stops adding pages well below it (see {@link SocketOutput#ROOM}). */
  public static final int OUTBOUND_BUFFER = SocketOutput.OUTBOUND_BUFFER;
  /** Replies that may wait for the connection's hello. */
  static final int REPLIES_BEFORE_HELLO = 4 * REQUESTS_IN_FLIGHT;

  private static final Logger LOG = LoggerFactory.getLogger(ClientSocketStage.class);
  private static final Protocol.Opcode TEXT = Protocol.Opcode$.MODULE$.forCode((byte) 0x1);
  private static final Protocol.Opcode PING = Protocol.Opcode$.MODULE$.forCode((byte) 0x9);
  private static final FrameHandler.DirectAnswer PING_FRAME = new FrameHandler.DirectAnswer(frame(PING, ByteString.emptyByteString()));

  private final Inlet<FrameHandler.Output> in = Inlet.create("ClientSocket.in");
  private final Outlet<Object> out = Outlet.create("ClientSocket.out");
  private final FlowShape<FrameHandler.Output, Object> shape = FlowShape.of(in, out);

  /** Answers a client's message (see {@link ClientFrames#handle}): its reply, if any. */
  interface Requests {
    CompletionStage<Optional<String>> handle(String text);
  }

  private final ActorRef<Object> connection;
  private final Requests requests;
  private final FrameGuard guard;
  private final long maxMessageBytes;
  private final long maxPendingOutputBytes;

  /** The default of {@code parley.gateway.max-pending-output-bytes}. */
  static final long MAX_PENDING_OUTPUT_BYTES = 4L << 20;

  ClientSocketStage(ActorRef<Object> connection, Requests requests, FrameGuard guard, long maxMessageBytes) {
    this(connection, requests, guard, maxMessageBytes, MAX_PENDING_OUTPUT_BYTES);
  }

  ClientSocketStage(ActorRef<Object> connection, Requests requests, FrameGuard guard, long maxMessageBytes,
      long maxPendingOutputBytes) {
    this.connection = connection;
    this.requests = requests;
    this.guard = guard;
    this.maxMessageBytes = maxMessageBytes;
    this.maxPendingOutputBytes = maxPendingOutputBytes;
  }

  @Override
  public FlowShape<FrameHandler.Output, Object> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new Logic();
  }

  /** What reaches the stage from other threads, besides the connection's frames. */
  private record Close(int code, String reason) {}

  private enum Signal {
    PING,
    /** A request was answered, or a frame's content was opened. */
    READY
  }

  private final class Logic extends GraphStageLogic implements FrameGuard.ControlFrames {
    private final AsyncCallback<Object> events = createAsyncCallback(this::onEvent);
    private final MessageAssembly message = new MessageAssembly(maxMessageBytes);
    /** Requests of the client under way; a reply that comes wakes the stage. */
    private final RepliesInOrder answering = new RepliesInOrder(requests, () -> events.invoke(Signal.READY));
    /** The close and what pekko-http's frame handling is told of it; before anything else. */
    private final ArrayDeque<Object> control = new ArrayDeque<>(2);
    /** The answer to the client's latest ping not yet sent; then the server's ping, if one is due. */
    private FrameHandler.DirectAnswer pong;
    private boolean pingDue;
    private final WaitingFrames frames = new WaitingFrames(OUTBOUND_BUFFER, maxPendingOutputBytes);
    /** Replies wait for the connection's hello (PROTOCOL.md puts it first); events wait in the connection. */
    private final FrameGate afterHello = new FrameGate(REPLIES_BEFORE_HELLO, maxPendingOutputBytes,
        () -> queueClose(FrameGuard.CLOSE_POLICY_VIOLATION, "too many requests before hello"));
    /** Output is behind (see {@link WaitingFrames#isBehind}): nothing more is read, and the connection knows. */
    private boolean behind;
    /** The frame at the head whose opening is awaited, so that it is awaited once. */
    private SocketOutput.Opening awaited;
    /** A close frame was queued: nothing more is read or sent after it. */
    private boolean closing;

    Logic() {
      super(shape);
      setHandler(in, new AbstractInHandler() {
        @Override
        public void onPush() {
          onClientItem(grab(in));
        }
      });
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          pushNext();
        }
      });
    }

    @Override
    public void preStart() {
      pull(in);
      guard.started(this);
      connection.tell(new Connection.Attach(events::invoke));
    }

    @Override
    public void postStop() {
      connection.tell(new Connection.Closed());
    }

    // FrameGuard.ControlFrames: called from the connection actor's thread.
    @Override
    public void ping() {
      events.invoke(Signal.PING);
    }

    @Override
    public void close(int code, String reason) {
      events.invoke(new Close(code, reason));
    }

    private void onEvent(Object event) {
      if (event instanceof SocketOutput.Outbound frame) {
        queue(frame);
        if (frame instanceof SocketOutput.Text text && text.hello()) {
          afterHello.open();
        }
      } else if (event == Signal.READY) {
        passReplies();
        pushNext();
      } else if (event == Signal.PING) {
        if (!closing) {
          pingDue = true;
          pushNext();
        }
      } else if (event instanceof Close close) {
        queueClose(close.code(), close.reason());
      }
    }

    private void onClientItem(FrameHandler.Output item) {
      if (item instanceof FrameHandler.MessageDataPart part) {
        if (message.add(part) == MessageAssembly.Progress.TOO_BIG) {
          guard.close(FrameGuard.CLOSE_TOO_BIG, "message exceeds " + maxMessageBytes + " bytes");
        }
        readMore();
      } else if (item == FrameHandler.MessageEnd$.MODULE$) {
        answer(message.take());
        readMore();
      } else if (item instanceof FrameHandler.DirectAnswer answer) {
        if (!closing) {
          pong = answer; // only the latest ping needs an answer
          pushNext();
        }
        readMore();
      } else if (item instanceof FrameHandler.PeerClosed peerClosed) {
        // pekko-http's frame handling answers the client's close frame once told that this side is done.
        stopSending();
        control.add(peerClosed);
        control.add(FrameHandler.UserHandlerCompleted$.MODULE$);
        pushNext();
      } else if (item instanceof FrameHandler.ActivelyCloseWithCode protocolError) {
        stopSending();
        control.add(protocolError);
        pushNext();
      }
    }

    /** A whole client message: answered in its turn, unless the connection is closing. */
    private void answer(MessageAssembly.Message whole) {
      if (whole != null && !guard.isClosing() && answering.add(whole.text())) {
        passReplies();
      }
    }

    /** Replies leave in the order their messages came; a request that failed closes the connection with 1011. */
    private void passReplies() {
      answering.takeAnswered(json -> afterHello.send(() -> queueReply(json), json.length()),
          failed -> closeAfterFailure("A client request failed", failed));
      readMore();
    }

    /** Reads the client's next item unless output is behind, a pong waits, or enough of its requests are under way. */
    private void readMore() {
      if (!closing && answering.underWay() < REQUESTS_IN_FLIGHT && !behind && pong == null
          && !hasBeenPulled(in) && !isClosed(in)) {
        pull(in);
      }
    }

    private void queue(SocketOutput.Outbound frame) {
      if (closing) {
        return;
      }
      if (frame instanceof SocketOutput.Close close) {
        queueClose(close.code(), close.reason());
        return;
      }
      added(frames.add(frame));
    }

    private void queueReply(String json) {
      if (!closing) {
        added(frames.addReply(json));
      }
    }

    private void added(WaitingFrames.Added added) {
      switch (added) {
        case TOO_MANY_FRAMES -> {
          LOG.info("Closing a connection whose client left {} frames unread", frames.size());
          queueClose(FrameGuard.CLOSE_INTERNAL_ERROR, "too many frames waiting for the client");
        }
        case TOO_MANY_BYTES -> {
          LOG.info("Closing a connection whose client left {} bytes unread", frames.bytes());
          queueClose(FrameGuard.CLOSE_POLICY_VIOLATION,
              "more than " + maxPendingOutputBytes + " bytes waiting for the client to read");
        }
        case ADDED -> {
          updateBehind();
          pushNext();
        }
      }
    }

    /** The connection is told when output falls behind and when it catches up. */
    private void updateBehind() {
      boolean nowBehind = frames.isBehind();
      if (nowBehind != behind) {
        behind = nowBehind;
        connection.tell(new Connection.Backlog(behind));
        readMore();
      }
    }

    private void queueClose(int code, String reason) {
      if (!closing) {
        stopSending();
        control.add(new FrameHandler.ActivelyCloseWithCode(Option.apply((Object) code), reason));
        pushNext();
      }
    }

    /** Closing: nothing more is read, and nothing waiting is sent but what closes the socket. */
    private void stopSending() {
      closing = true;
      frames.clear();
      pong = null;
      pingDue = false;
    }

    private void pushNext() {
      if (!isAvailable(out)) {
        return;
      }
      Object next = control.poll();
      if (next != null) {
        push(out, next);
        if (next instanceof FrameHandler.ActivelyCloseWithCode) {
          // The close frame is the last word: pekko-http ends the socket once it is out.
          completeStage();
        }
        return;
      }
      if (pong != null) {
        push(out, pong);
        pong = null;
        readMore();
        return;
      }
      if (pingDue) {
        push(out, PING_FRAME);
        pingDue = false;
        return;
      }
      Object frame = frames.peek();
      if (frame instanceof SocketOutput.Complete) {
        queueClose(FrameGuard.CLOSE_NORMAL, "");
      } else if (frame != null) {
        ByteString text = openedText(frame);
        if (text != null) {
          boolean connections = frames.removeFirst();
          push(out, frame(TEXT, text));
          if (connections) {
            // How far the socket has taken the connection's frames, so a replay adds pages only as it drains.
            connection.tell(Connection.Written.INSTANCE);
          }
          updateBehind();
        }
      }
    }

    /** The frame's encoded text, or null while its content is still being opened (it holds back those after it). */
    private ByteString openedText(Object frame) {
      if (frame instanceof ByteString text) {
        return text;
      }
      CompletableFuture<String> opening = ((SocketOutput.Opening) frame).json().toCompletableFuture();
      if (!opening.isDone()) {
        if (awaited != frame) {
          awaited = (SocketOutput.Opening) frame;
          opening.whenComplete((json, failure) -> events.invoke(Signal.READY));
        }
        return null;
      }
      if (opening.isCompletedExceptionally()) {
        closeAfterFailure("A frame's content could not be opened", opening);
        return null;
      }
      return ByteString.fromString(opening.join());
    }

    /** A bug, or a store that failed where nothing retries: the client gets 1011 and reconnects. */
    private void closeAfterFailure(String what, CompletableFuture<?> failed) {
      LOG.error(what, failed.handle((ok, failure) -> failure).join());
      queueClose(FrameGuard.CLOSE_INTERNAL_ERROR, "internal error");
    }
  }

  private static FrameStart frame(Protocol.Opcode opcode, ByteString data) {
    return FrameEvent$.MODULE$.fullFrame(opcode, Option.empty(), data, true, false, false, false);
  }
}
