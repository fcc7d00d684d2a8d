package io.parley.gateway;

import com.typesafe.config.Config;
import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.auth.AuthSettings;
import io.parley.auth.JwtAuth;
import io.parley.conversation.ConversationSettings;
import io.parley.gateway.account.AccountErasure;
import io.parley.gateway.account.UserExport;
import io.parley.gateway.relay.GroupRelay;
import io.parley.gateway.relay.LargeGroupInbox;
import io.parley.gateway.session.LiveConnections;
import io.parley.gateway.socket.ConnectionGuard;
import io.parley.gateway.socket.RequestDeadlines;
import io.parley.gateway.socket.WebSocketEndpoint;
import io.parley.limits.AddressLimits;
import io.parley.limits.ClientAddress;
import io.parley.limits.OpenConnections;
import io.parley.conversation.MessageHistory;
import io.parley.limits.RateLimits;
import io.parley.limits.RequestTimeouts;
import io.parley.media.MediaService;
import io.parley.privacy.ContentKeys;
import io.parley.privacy.ContentSealing;
import io.parley.user.KeptElsewhere;
import io.parley.metrics.ParleyMetrics;
import io.parley.storage.JournalConversations;
import io.parley.user.ErasureRegistry;
import io.parley.user.GroupConsentSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.javadsl.Flow;

/** Binds the client-facing HTTP and WebSocket server. */
public final class Gateway {
  private Gateway() {}

  /** Completes with {@code host:port} once bound. */
  public static CompletionStage<String> start(
      ActorSystem<?> system,
      Config config,
      JwtAuth auth,
      Entities entities,
      MessageHistory history,
      MediaService media,
      ContentKeys keys,
      ConversationSettings conversationSettings,
      ErasureRegistry erasures,
      KeptElsewhere elsewhere,
      GroupRelay.Started largeGroups,
      Clock clock) {
    checkTimeouts(config);
    Config gateway = config.getConfig("parley.gateway");
    RequestTimeouts timeouts = RequestTimeouts.from(gateway);
    Duration askTimeout = timeouts.ask();
    RateLimits limits = RateLimits.from(gateway.getConfig("rate-limit"), clock, entities, timeouts, system.scheduler());
    ContentSealing sealing = new ContentSealing(keys);
    boolean devTokens = AuthSettings.from(config.getConfig("parley.auth")).devTokens().issued();
    ChatService chat = new ChatService(entities, history, media, limits, conversationSettings, timeouts, sealing,
        new LargeGroupInbox(entities, largeGroups.known(), askTimeout, system), system,
        new ConversationGate(JournalConversations.of(system, "dynamodb-read-journal"),
            gateway.getInt("known-conversations")),
        GroupConsentSettings.from(config, devTokens), clock);
    WebSocketEndpoint webSocket =
        new WebSocketEndpoint(
            system, entities, history, chat, sealing, auth, gateway.getDuration("heartbeat"), askTimeout,
            gateway.getInt("max-frame-bytes"), gateway.getBytes("max-pending-output-bytes"),
            gateway.getInt("max-connections"), largeGroups, clock);
    ParleyMetrics.gauge("parley.connections", "WebSocket connections open on this node", webSocket.live::size);
    ClientAddress proxies = ClientAddress.trusting(gateway.getString("trusted-proxies"));
    HttpApi api =
        new HttpApi(
            auth, chat, webSocket, new UserExport(entities, history, media, elsewhere, sealing, askTimeout, system, clock),
            new AccountErasure(entities, erasures, askTimeout, system),
            AuthSettings.from(config.getConfig("parley.auth")).devTokens(),
            config.getDuration("parley.auth.dev-token-ttl"),
            new AddressLimits(gateway.getDouble("edge-limit.per-second"), gateway.getInt("edge-limit.burst"),
                gateway.getLong("edge-limit.addresses-tracked"), clock),
            proxies, new RequestBodies(gateway.getBytes("max-body-bytes"), gateway.getDuration("body-timeout")),
            new MediaFetches(media));
    String host = config.getString("parley.http.host");
    int port = config.getInt("parley.http.port");
    Duration grace = gateway.getDuration("drain-grace");
    Duration reconnectSpread = gateway.getDuration("reconnect-spread");
    OpenConnections open = new OpenConnections(gateway.getInt("max-connections-per-address"), proxies::isTrustedProxy);
    // As pekko-http binds a route (bind(route)), with each connection counted for its address.
    int pipelining = ServerSettings.create(system.classicSystem()).getPipeliningLimit();
    Flow<HttpRequest, HttpResponse, NotUsed> handler =
        Flow.<HttpRequest>create().mapAsync(pipelining, api.route().handler(system)::apply);
    HttpResponse refusal = HttpApi.errorResponse(new ApiError(ErrorCode.RATE_LIMITED,
        "too many connections from this address; close some or retry later", 1000L))
        .addHeader(Connection.create("close"));
    return Http.get(system)
        .newServerAt(host, port)
        .bindFlow(ConnectionGuard.perAddress(RequestDeadlines.around(handler,
            gateway.getDuration("request-head-timeout"), gateway.getDuration("idle-timeout")), open, refusal))
        .thenApply(binding -> {
          drainOnShutdown(system, binding, webSocket.live, grace, reconnectSpread);
          boolean local = "0.0.0.0".equals(host) || "127.0.0.1".equals(host);
          return (local ? "localhost" : host) + ":" + binding.localAddress().getPort();
        });
  }

  /**
   * On shutdown: stop accepting connections, tell clients to go elsewhere and close them within
   * the grace period, and only then let sharding hand entities off and the node leave.
   */
  private static void drainOnShutdown(
      ActorSystem<?> system, ServerBinding binding, LiveConnections live, Duration grace, Duration reconnectSpread) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "parley-stop-accepting",
        () -> binding.unbind().thenApply(unbound -> Done.done()));
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "parley-drain-connections",
        () -> live.drain(grace, reconnectSpread)
            .completeOnTimeout(null, grace.plusSeconds(1).toMillis(), TimeUnit.MILLISECONDS)
            .thenApply(drained -> Done.done()));
    shutdown.addTask(CoordinatedShutdown.PhaseServiceStop(), "parley-close-http",
        () -> binding.terminate(Duration.ofSeconds(1)).thenApply(terminated -> Done.done()));
  }

  /** Refuses an idle timeout that would close open WebSockets between two heartbeats. */
  public static void checkTimeouts(Config config) {
    Config gateway = config.getConfig("parley.gateway");
    if (gateway.getDuration("idle-timeout").compareTo(gateway.getDuration("heartbeat")) <= 0) {
      throw new IllegalArgumentException("parley.gateway.idle-timeout (PARLEY_HTTP_IDLE_TIMEOUT) must exceed "
          + "the heartbeat (PARLEY_HEARTBEAT), or open WebSockets would be closed as idle");
    }
  }
}
