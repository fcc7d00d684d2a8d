package io.parley.gateway;

import org.apache.pekko.NotUsed;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.Protocol;
import org.apache.pekko.http.impl.engine.ws.WebSocket$;
import org.apache.pekko.http.scaladsl.model.ws.Message;
import org.apache.pekko.http.scaladsl.settings.WebSocketSettings;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.scaladsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import scala.Option;

/**
 * Wraps pekko-http's standard WebSocket stack with what its public API cannot do: close with code
 * 1009 when a frame is too big (read from the frame header, before its payload), send pings when
 * the {@link Connection} says so, and tell how long the client has been silent, pongs included
 * (pongs never reach the message API).
 *
 * <p>The pings and the idle check ride on the connection's one heartbeat timer, instead of
 * pekko-http's keep-alive stage and an idle-timeout stage, each of which woke every idle
 * connection every few seconds and held a timer and stage state of its own.
 *
 * <p>This uses pekko-http's internal frame-level hook ({@code UpgradeToWebSocketLowLevel}); the
 * standard stack still does masking, control frames and message assembly.
 */
public final class FrameGuard implements Heartbeat.Liveness {
  public static final int CLOSE_NORMAL = 1000;
  public static final int CLOSE_GOING_AWAY = 1001;
  public static final int CLOSE_TOO_BIG = 1009;

  private static final byte OPCODE_PING = 0x9;
  private static final FrameEvent PING =
      FrameEvent$.MODULE$.fullFrame(Protocol.Opcode$.MODULE$.forCode(OPCODE_PING), Option.empty(),
          ByteString.emptyByteString(), true, false, false, false);

  /** Frames of our own (pings, the close frame) between the client's; set when the stream starts. */
  private BoundedSourceQueue<FrameEvent> control;
  private FrameEvent closeFrame;
  private volatile boolean closing;
  private volatile long lastHeardNanos = System.nanoTime();

  /** Sends a close frame with {@code code} and ends the connection; later calls do nothing. */
  public synchronized void close(int code, String reason) {
    if (!closing) {
      closing = true;
      closeFrame = FrameEvent$.MODULE$.closeFrame(code, reason, Option.empty());
      sendCloseFrame();
    }
  }

  public boolean isClosing() {
    return closing;
  }

  @Override
  public synchronized void ping() {
    if (control != null && !closing) {
      control.offer(PING);
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

  private synchronized void started(BoundedSourceQueue<FrameEvent> queue) {
    control = queue;
    if (closing) {
      sendCloseFrame();
    }
  }

  private void sendCloseFrame() {
    if (control != null) {
      control.offer(closeFrame);
      control.complete(); // the merge below completes with it: the close frame is the last word
    }
  }

  /**
   * pekko-http's standard server-side stack between frames and messages, built once for every
   * connection: a blueprint is materialized afresh for each, and each running stage keeps the
   * stage it came from, with the blueprint it caches. Built per connection, those were 3.7 KiB of
   * live heap per idle connection (of 57); shared, they are paid once.
   */
  public static BidiFlow<FrameEvent, Message, Message, FrameEvent, NotUsed> standardStack(
      WebSocketSettings settings, LoggingAdapter log) {
    return WebSocket$.MODULE$.stack(true, settings, WebSocket$.MODULE$.stack$default$3(), log);
  }

  /**
   * The frame handler for one connection, running {@code messages} inside {@code stack} (see
   * {@link #standardStack}). Frames of our own go between whole frames only: every frame the stack
   * renders for our strict text messages is a full frame, so nothing is cut in two.
   */
  public Flow<FrameEvent, FrameEvent, NotUsed> around(Flow<Message, Message, NotUsed> messages,
      BidiFlow<FrameEvent, Message, Message, FrameEvent, NotUsed> stack, long maxFrameBytes) {
    Flow<FrameEvent, FrameEvent, NotUsed> standard = Flow.fromGraph(stack.join(messages.asScala()));
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
        .via(standard)
        .merge(Source.<FrameEvent>queue(8).mapMaterializedValue(queue -> {
          started(queue);
          return NotUsed.getInstance();
        }), true);
  }
}
