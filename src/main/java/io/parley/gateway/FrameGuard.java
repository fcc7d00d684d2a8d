package io.parley.gateway;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.WebSocket$;
import org.apache.pekko.http.scaladsl.model.ws.Message;
import org.apache.pekko.http.scaladsl.settings.WebSocketSettings;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import scala.Option;

/**
 * Wraps pekko-http's standard WebSocket stack with what its public API cannot do: close with code
 * 1009 when a frame is too big (read from the frame header, before its payload), and close a
 * connection that sent nothing, pongs included, for too long (pongs never reach the message API).
 *
 * <p>This uses pekko-http's internal frame-level hook ({@code UpgradeToWebSocketLowLevel}); the
 * standard stack still does masking, control frames, keep-alive pings and message assembly.
 */
public final class FrameGuard {
  public static final int CLOSE_NORMAL = 1000;
  public static final int CLOSE_GOING_AWAY = 1001;
  public static final int CLOSE_TOO_BIG = 1009;

  private final CompletableFuture<FrameEvent> closeFrame = new CompletableFuture<>();
  private final AtomicBoolean closing = new AtomicBoolean();

  /** Sends a close frame with {@code code} and ends the connection; later calls do nothing. */
  public void close(int code, String reason) {
    if (closing.compareAndSet(false, true)) {
      closeFrame.complete(FrameEvent$.MODULE$.closeFrame(code, reason, Option.empty()));
    }
  }

  public boolean isClosing() {
    return closing.get();
  }

  /** The frame handler for one connection, running {@code messages} inside the standard stack. */
  public Flow<FrameEvent, FrameEvent, NotUsed> around(
      Flow<Message, Message, NotUsed> messages,
      WebSocketSettings settings,
      LoggingAdapter log,
      Duration idleTimeout,
      long maxFrameBytes) {
    var stack = WebSocket$.MODULE$.stack(true, settings, WebSocket$.MODULE$.stack$default$3(), log);
    Flow<FrameEvent, FrameEvent, NotUsed> standard = Flow.fromGraph(stack.join(messages.asScala()));
    return Flow.<FrameEvent>create()
        .wireTap(
            Flow.<FrameEvent>create()
                .idleTimeout(idleTimeout)
                .to(
                    Sink.onComplete(
                        done -> {
                          if (done.isFailure()) {
                            close(CLOSE_GOING_AWAY, "idle: nothing received for " + idleTimeout.toSeconds() + "s");
                          }
                        })))
        .filter(
            frame -> {
              if (frame instanceof FrameStart start && start.header().length() > maxFrameBytes) {
                close(CLOSE_TOO_BIG, "frame exceeds " + maxFrameBytes + " bytes");
              }
              // Once closing, nothing more is read: our close frame is the last word.
              return !isClosing();
            })
        .via(standard)
        .merge(Source.completionStage(closeFrame), true);
  }
}
