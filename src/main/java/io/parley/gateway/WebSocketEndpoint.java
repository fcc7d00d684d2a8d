package io.parley.gateway;

import io.parley.auth.JwtAuth;
import io.parley.conversation.MessageHistory;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.event.Logging;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.scaladsl.model.ws.BinaryMessage;
import org.apache.pekko.http.scaladsl.model.ws.Message;
import org.apache.pekko.http.scaladsl.model.ws.TextMessage;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.settings.WebSocketSettings;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.scaladsl.BidiFlow;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import scala.Option;

/** Upgrades an authenticated request to a WebSocket served by a {@link Connection}. */
final class WebSocketEndpoint {
  private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  /** Frames waiting for a slow socket; past this the connection fails and the client reconnects.
   *  A replay stops adding pages well below it (see {@link SocketOutput#ROOM}). */
  static final int OUTBOUND_BUFFER = 4096;
  /**
   * Pekko allocates a buffer of up to this many frames whole when the stream starts, a larger one
   * as it fills: an idle connection's 4,096 slots cost 16 KiB of heap, a growing one a few hundred bytes.
   */
  private static final int PREALLOCATED_OUTBOUND = 128;
  private static final int PIPELINED_REQUESTS = 64;

  private final ActorSystem<?> system;
  private final Entities entities;
  private final MessageHistory history;
  private final ChatService chat;
  private final ContentSealing sealing;
  private final JwtAuth auth;
  private final Duration heartbeat;
  private final int maxFrameBytes;
  final int maxConnections;
  private final Clock clock;
  private final GroupRelay.Started largeGroups;
  final LiveConnections live = new LiveConnections();
  /** Built once (see FrameGuard#standardStack); its settings parsed once too (2 % of a login's CPU). */
  private final BidiFlow<FrameEvent, Message, Message, FrameEvent, NotUsed> standardStack;

  WebSocketEndpoint(
      ActorSystem<?> system,
      Entities entities,
      MessageHistory history,
      ChatService chat,
      ContentSealing sealing,
      JwtAuth auth,
      Duration heartbeat,
      int maxFrameBytes,
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
    this.maxFrameBytes = maxFrameBytes;
    this.maxConnections = maxConnections;
    this.clock = clock;
    // No keep-alive stage: each Connection pings on its own heartbeat (see FrameGuard).
    WebSocketSettings webSocketSettings =
        ((ServerSettings) org.apache.pekko.http.javadsl.settings.ServerSettings.create(system.classicSystem()))
            .websocketSettings()
            .withPeriodicKeepAliveMaxIdle(scala.concurrent.duration.Duration.Inf());
    this.standardStack = FrameGuard.standardStack(webSocketSettings,
        Logging.getLogger(system.classicSystem(), WebSocketEndpoint.class));
  }

  boolean isFull() {
    return live.size() >= maxConnections;
  }

  static boolean isValidDeviceId(String deviceId) {
    return deviceId != null && DEVICE_ID.matcher(deviceId).matches();
  }

  HttpResponse upgrade(WebSocketUpgrade upgrade, JwtAuth.Verified token, String deviceId) {
    // pekko-http keeps the handler it was given for as long as the socket is open, so the handler
    // is a small factory: the connection's own stages are built when it starts, and the blueprint
    // they were built from (its traversal: 3.6 KiB of heap per idle connection) is garbage once they run.
    Flow<FrameEvent, FrameEvent, ?> handler = Flow.fromMaterializer((mat, attributes) -> handler(token, deviceId));
    return ((UpgradeToWebSocketLowLevel) upgrade).handleFrames(anyMaterializedValue(handler), Option.empty());
  }

  /** One connection's stages: its {@link Connection}, the client frames in and the frames out. */
  private Flow<FrameEvent, FrameEvent, NotUsed> handler(JwtAuth.Verified token, String deviceId) {
    String userId = token.userId();
    FrameGuard guard = new FrameGuard();
    ActorRef<Object> connection =
        system.systemActorOf(
            Connection.create(userId, deviceId, token.expiresAt(), entities, history, sealing, live, largeGroups,
                guard, heartbeat, clock),
            "connection-" + UUID.randomUUID(),
            Props.empty());
    ClientFrames frames = new ClientFrames(userId, deviceId, chat, auth, entities, connection);

    // Few stages: each is a logic, a callback set and an attribute list that an idle connection
    // keeps for as long as it is open.
    Sink<Message, NotUsed> inbound =
        Flow.<Message>create()
            .mapAsync(1, message -> read(message, guard))
            // Requests of one connection run concurrently (so pipelined sends share a write);
            // replies still leave in the order the frames came, which keeps acks and reads
            // durable before any later frame is answered.
            .mapAsync(PIPELINED_REQUESTS, incoming -> answer(incoming, guard, frames))
            .map(reply -> {
              reply.ifPresent(json -> connection.tell(new Connection.Reply(json)));
              return reply;
            })
            .to(Sink.onComplete(done -> connection.tell(new Connection.Closed())));

    Source<Message, NotUsed> outbound =
        ActorSource.<SocketOutput.Outbound>actorRef(
                frame -> frame instanceof SocketOutput.Complete,
                frame -> Optional.empty(),
                OUTBOUND_BUFFER,
                OverflowStrategy.fail())
            .addAttributes(ActorAttributes.maxFixedBufferSize(PREALLOCATED_OUTBOUND))
            .mapMaterializedValue(ref -> {
              connection.tell(new Connection.Attach(ref));
              return NotUsed.getInstance();
            })
            // In order: a frame whose content is still being opened holds back those after it.
            .mapAsync(1, frame -> json(frame).thenApply(json -> {
              // How far the socket has taken frames, so a replay adds pages only as it drains.
              connection.tell(Connection.Written.INSTANCE);
              return (Message) TextMessage.apply(json);
            }))
            .watchTermination((mat, done) -> {
              done.whenComplete((ok, failure) -> connection.tell(new Connection.Closed()));
              return mat;
            });

    return guard.around(Flow.fromSinkAndSourceCoupled(inbound, outbound), standardStack, maxFrameBytes);
  }

  /** Scala's {@code Graph[_, Any]} is {@code Graph<_, Object>} to Java, which generics cannot reach. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <S extends org.apache.pekko.stream.Shape> org.apache.pekko.stream.Graph<S, Object> anyMaterializedValue(
      org.apache.pekko.stream.Graph<S, ?> graph) {
    return (org.apache.pekko.stream.Graph) graph;
  }

  private static CompletionStage<String> json(SocketOutput.Outbound frame) {
    if (frame instanceof SocketOutput.Opening opening) {
      return opening.json();
    }
    return CompletableFuture.completedFuture(((SocketOutput.Text) frame).json());
  }

  /** A client message's text (null for a binary one, which is drained). */
  private record Incoming(String text) {}

  /** The reply to one client message, if any: none once the connection is closing. */
  private static CompletionStage<Optional<String>> answer(Incoming incoming, FrameGuard guard, ClientFrames frames) {
    if (guard.isClosing()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    if (incoming.text() == null) {
      return CompletableFuture.completedFuture(Optional.of(WireFormat.render(WireFormat.error(null,
          ApiError.badRequest("binary frames are not supported; send JSON text")))));
    }
    return frames.handle(incoming.text());
  }

  private CompletionStage<Incoming> read(Message message, FrameGuard guard) {
    if (message instanceof TextMessage.Strict strict) {
      if (utf8Length(strict.text()) > maxFrameBytes) {
        guard.close(FrameGuard.CLOSE_TOO_BIG, "message exceeds " + maxFrameBytes + " bytes");
      }
      return CompletableFuture.completedFuture(new Incoming(strict.text()));
    }
    if (message instanceof TextMessage streamed) {
      return Source.fromGraph(streamed.textStream())
          .limitWeighted(maxFrameBytes, WebSocketEndpoint::utf8Length)
          .runFold(new StringBuilder(), StringBuilder::append, system)
          .thenApply(text -> new Incoming(text.toString()))
          .exceptionally(failure -> {
            if (failure instanceof StreamLimitReachedException
                || failure.getCause() instanceof StreamLimitReachedException) {
              guard.close(FrameGuard.CLOSE_TOO_BIG, "message exceeds " + maxFrameBytes + " bytes");
              return new Incoming("");
            }
            throw new java.util.concurrent.CompletionException(failure);
          });
    }
    return Source.fromGraph(((BinaryMessage) message).dataStream())
        .runWith(Sink.ignore(), system)
        .thenApply(done -> new Incoming(null));
  }

  static long utf8Length(String s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
