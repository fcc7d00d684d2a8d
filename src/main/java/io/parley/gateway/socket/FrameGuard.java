package io.parley.gateway.socket;

import io.parley.gateway.session.Connection;
import io.parley.gateway.session.Heartbeat;
import io.parley.gateway.session.SocketOutput;
import org.apache.pekko.NotUsed;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameEventOrError;
import org.apache.pekko.http.impl.engine.ws.FrameHandler;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.WebSocket$;
import org.apache.pekko.http.scaladsl.settings.WebSocketSettings;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.scaladsl.BidiFlow;
import scala.concurrent.duration.FiniteDuration;

/**
 * Wraps pekko-http's WebSocket frame handling with what its public API cannot do: close with code
 * 1009 when a frame is too big (read from the frame header, before its payload), send pings when
 * the {@link Connection} says so, and tell how long the client has been silent, pongs included
 * (pongs never get past the frame handling).
 *
 * <p>The pings and the idle check ride on the connection's one heartbeat timer, instead of
 * pekko-http's keep-alive stage and an idle-timeout stage, each of which woke every idle
 * connection every few seconds and held a timer and stage state of its own.
 *
 * <p>This uses pekko-http's internal frame-level hook ({@code UpgradeToWebSocketLowLevel}) and
 * its frame handling (masking, control frames, UTF-8, the close handshake); above it runs
 * {@link ClientSocketStage} instead of pekko-http's message layer.
 */
public final class FrameGuard implements Heartbeat.Liveness {
  public static final int CLOSE_NORMAL = 1000;
  public static final int CLOSE_GOING_AWAY = 1001;
  public static final int CLOSE_POLICY_VIOLATION = SocketOutput.Close.POLICY_VIOLATION;
  public static final int CLOSE_TOO_BIG = 1009;
  public static final int CLOSE_INTERNAL_ERROR = 1011;

  /** Where the guard's pings and close go once the socket runs: its {@link ClientSocketStage}. */
  interface ControlFrames {
    void ping();

    void close(int code, String reason);
  }

  private ControlFrames socket;
  private int closeCode;
  private String closeReason;
  private volatile boolean closing;
  private volatile long lastHeardNanos = System.nanoTime();

  /** Sends a close frame with {@code code} and ends the connection; later calls do nothing. */
  public synchronized void close(int code, String reason) {
    if (!closing) {
      closing = true;
      closeCode = code;
      closeReason = reason;
      if (socket != null) {
        socket.close(code, reason);
      }
    }
  }

  public boolean isClosing() {
    return closing;
  }

  @Override
  public synchronized void ping() {
    if (socket != null && !closing) {
      socket.ping();
    }
  }

  @Override
  public long silentMillis() {
    return (System.nanoTime() - lastHeardNanos) / 1_000_000;
  }

  @Override
  public void closeIdle(long silentMillis) {
    close(CLOSE_GOING_AWAY, "idle: nothing received for " + silentMillis / 1000 + "s");
  }

  /** The socket runs; a close asked for before goes out now. */
  synchronized void started(ControlFrames running) {
    socket = running;
    if (closing) {
      socket.close(closeCode, closeReason);
    }
  }

  /**
   * pekko-http's server-side frame handling (masking, control frames, assembling and decoding
   * messages, the close handshake), built once for every connection: a blueprint is materialized
   * afresh for each, and each running stage keeps the stage it came from, with the blueprint it
   * caches. Its close timeout is never waited for: {@link ClientSocketStage} ends the socket
   * once its close frame is out.
   */
  public static BidiFlow<FrameEvent, FrameHandler.Output, Object, FrameEvent, NotUsed> frameHandling(
      WebSocketSettings settings, FiniteDuration closeTimeout, LoggingAdapter log) {
    return WebSocket$.MODULE$.masking(true, settings.randomFactory()).atop(rendersFrameEvents(
        WebSocket$.MODULE$.frameHandling(true, closeTimeout, log)));
  }

  /** Its frames out are {@code FrameStart}s, which Scala's variance lets pass as {@code FrameEvent}s; Java's generics cannot. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static BidiFlow<FrameEventOrError, FrameHandler.Output, Object, FrameEvent, NotUsed> rendersFrameEvents(
      BidiFlow<FrameEventOrError, FrameHandler.Output, Object, FrameStart, NotUsed> handling) {
    return (BidiFlow) handling;
  }

  /**
   * The frame handler for one connection: {@code socket} above {@code handling} (see
   * {@link #frameHandling}), behind the check of each frame's size and the client's liveness.
   */
  public Flow<FrameEvent, FrameEvent, NotUsed> around(Graph<FlowShape<FrameHandler.Output, Object>, NotUsed> socket,
      BidiFlow<FrameEvent, FrameHandler.Output, Object, FrameEvent, NotUsed> handling, long maxFrameBytes) {
    return Flow.<FrameEvent>create()
        .filter(
            frame -> {
              lastHeardNanos = System.nanoTime();
              if (frame instanceof FrameStart start && start.header().length() > maxFrameBytes) {
                close(CLOSE_TOO_BIG, "frame exceeds " + maxFrameBytes + " bytes");
              }
              // Once closing, nothing more is read: our close frame is the last word.
              return !isClosing();
            })
        .via(Flow.fromGraph(handling.join(socket)));
  }
}
