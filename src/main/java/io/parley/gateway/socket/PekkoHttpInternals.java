package io.parley.gateway.socket;

import java.net.InetAddress;
import java.util.Optional;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.Version;
import org.apache.pekko.http.impl.engine.server.HttpAttributes;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameHandler;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.Protocol;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.impl.engine.ws.WebSocket$;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.util.ByteString;
import scala.Function0;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * The pekko-http this package is built on. Its WebSocket frame hook and frame handling, and the
 * connection's peer as a stream attribute, are {@code @InternalApi}: any release may change them,
 * and Java links a changed method only when it is first called, which here is the first client's
 * connection, after the node reported ready. So the start checks them; docs/operations.md
 * ("Libraries whose internals Parley uses") says why the socket uses them and how to upgrade.
 */
public final class PekkoHttpInternals {
  /** The release this package's use of the internals was written and tested on. */
  static final String PINNED_VERSION = "1.3.0";

  private PekkoHttpInternals() {}

  /** Fails, at start, when the pekko-http on the class path is not the pinned one or lacks what this package calls. */
  public static void check() {
    check(Version.current());
  }

  /**
   * The peer of the connection whose stream carries {@code attributes}: pekko-http puts it there
   * (with {@code remote-address-attribute = on}) before the first byte of a request is read, and
   * its public API has it only on a request.
   */
  public static Optional<InetAddress> remoteAddress(Attributes attributes) {
    return attributes.getAttribute(HttpAttributes.RemoteAddress.class)
        .map(remote -> remote.address().getAddress());
  }

  static void check(String running) {
    try {
      if (!PINNED_VERSION.equals(running)) {
        throw new IllegalStateException("it is " + running);
      }
      UpgradeToWebSocketLowLevel.class.getMethod("handleFrames", Graph.class, Option.class);
      WebSocket$.class.getMethod("masking", boolean.class, Function0.class);
      WebSocket$.class.getMethod("frameHandling", boolean.class, FiniteDuration.class, LoggingAdapter.class);
      FrameEvent$.class.getMethod("fullFrame", Protocol.Opcode.class, Option.class, ByteString.class,
          boolean.class, boolean.class, boolean.class, boolean.class);
      Protocol.Opcode$.class.getMethod("forCode", byte.class);
      FrameHandler.ActivelyCloseWithCode.class.getConstructor(Option.class, String.class);
      FrameHandler.DirectAnswer.class.getConstructor(FrameStart.class);
      FrameHandler.MessageEnd$.class.getField("MODULE$");
      FrameHandler.UserHandlerCompleted$.class.getField("MODULE$");
      HttpAttributes.RemoteAddress.class.getMethod("address");
    } catch (ReflectiveOperationException | RuntimeException | LinkageError changed) {
      throw new IllegalStateException("pekko-http is not the " + PINNED_VERSION + " whose internals Parley's "
          + "socket is built on (" + changed.getMessage() + "); see docs/operations.md on upgrading pekko-http",
          changed);
    }
  }
}
