package io.parley.gateway.socket;

import io.parley.auth.JwtAuth;
import io.parley.conversation.MessageHistory;
import io.parley.gateway.ChatService;
import io.parley.gateway.Entities;
import io.parley.gateway.relay.GroupRelay;
import io.parley.gateway.session.ClientFrames;
import io.parley.gateway.session.Connection;
import io.parley.gateway.session.LiveConnections;
import io.parley.privacy.ContentSealing;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.event.Logging;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameHandler;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.settings.WebSocketSettings;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.scaladsl.BidiFlow;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/** Upgrades an authenticated request to a WebSocket served by a {@link Connection}. */
public final class WebSocketEndpoint {
  private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** pekko-http's default; see FrameGuard#frameHandling for why it is never waited for. */
  private static final FiniteDuration CLOSE_TIMEOUT = FiniteDuration.create(3, TimeUnit.SECONDS);

  private final ActorSystem<?> system;
  private final Entities entities;
  private final MessageHistory history;
  private final ChatService chat;
  private final ContentSealing sealing;
  private final JwtAuth auth;
  private final Duration heartbeat;
  private final Duration askTimeout;
  private final int maxFrameBytes;
  private final long maxPendingOutputBytes;
  public final int maxConnections;
  private final Clock clock;
  private final GroupRelay.Started largeGroups;
  public final LiveConnections live = new LiveConnections();
  /** Built once (see FrameGuard#frameHandling); its settings parsed once too (2 % of a login's CPU). */
  private final BidiFlow<FrameEvent, FrameHandler.Output, Object, FrameEvent, NotUsed> frameHandling;

  public WebSocketEndpoint(
      ActorSystem<?> system,
      Entities entities,
      MessageHistory history,
      ChatService chat,
      ContentSealing sealing,
      JwtAuth auth,
      Duration heartbeat,
      Duration askTimeout,
      int maxFrameBytes,
      long maxPendingOutputBytes,
      int maxConnections,
      GroupRelay.Started largeGroups,
      Clock clock) {
    this.system = system;
    this.largeGroups = largeGroups;
    this.entities = entities;
    this.history = history;
    this.chat = chat;
    this.sealing = sealing;
    this.auth = auth;
    this.heartbeat = heartbeat;
    this.askTimeout = askTimeout;
    this.maxFrameBytes = maxFrameBytes;
    this.maxPendingOutputBytes = maxPendingOutputBytes;
    this.maxConnections = maxConnections;
    this.clock = clock;
    // Only the masking's random source is taken from these: pings ride on each Connection's
    // heartbeat (see FrameGuard), and pekko-http's message layer, with its keep-alive, is not used.
    WebSocketSettings webSocketSettings =
        ((ServerSettings) org.apache.pekko.http.javadsl.settings.ServerSettings.create(system.classicSystem()))
            .websocketSettings();
    this.frameHandling = FrameGuard.frameHandling(webSocketSettings, CLOSE_TIMEOUT,
        Logging.getLogger(system.classicSystem(), WebSocketEndpoint.class));
  }

  public boolean isFull() {
    return live.size() >= maxConnections;
  }

  public static boolean isValidDeviceId(String deviceId) {
    return deviceId != null && DEVICE_ID.matcher(deviceId).matches();
  }

  public HttpResponse upgrade(WebSocketUpgrade upgrade, JwtAuth.Verified token, String deviceId) {
    // pekko-http keeps the handler it was given for as long as the socket is open, so the handler
    // is a small factory: the connection's own stages are built when it starts, and the blueprint
    // they were built from (its traversal: 3.6 KiB of heap per idle connection) is garbage once they run.
    Flow<FrameEvent, FrameEvent, ?> handler = Flow.fromMaterializer((mat, attributes) -> handler(token, deviceId));
    return ((UpgradeToWebSocketLowLevel) upgrade).handleFrames(anyMaterializedValue(handler), Option.empty());
  }

  /** One connection: its {@link Connection}, and the socket's stage that reads and writes its frames. */
  private Flow<FrameEvent, FrameEvent, NotUsed> handler(JwtAuth.Verified token, String deviceId) {
    String userId = token.userId();
    FrameGuard guard = new FrameGuard();
    ActorRef<Object> connection =
        system.systemActorOf(
            Connection.create(userId, deviceId, token.expiresAt(), entities, history, sealing, live, largeGroups,
                guard, heartbeat, askTimeout, clock),
            "connection-" + UUID.randomUUID(),
            Props.empty());
    ClientFrames frames = new ClientFrames(userId, deviceId, chat, auth, entities, connection);
    return guard.around(new ClientSocketStage(connection, frames::handle, guard, maxFrameBytes, maxPendingOutputBytes),
        frameHandling, maxFrameBytes);
  }

  /** Scala's {@code Graph[_, Any]} is {@code Graph<_, Object>} to Java, which generics cannot reach. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <S extends org.apache.pekko.stream.Shape> org.apache.pekko.stream.Graph<S, Object> anyMaterializedValue(
      org.apache.pekko.stream.Graph<S, ?> graph) {
    return (org.apache.pekko.stream.Graph) graph;
  }
}
