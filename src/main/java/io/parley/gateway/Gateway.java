package io.parley.gateway;

import com.typesafe.config.Config;
import io.parley.auth.JwtAuth;
import io.parley.cluster.Entities;
import io.parley.conversation.ConversationSettings;
import io.parley.conversation.MessageHistory;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;

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
      ConversationSettings conversationSettings,
      Clock clock) {
    Config gateway = config.getConfig("parley.gateway");
    Duration askTimeout = gateway.getDuration("ask-timeout");
    RateLimiter rateLimiter =
        new RateLimiter(
            gateway.getInt("rate-limit.messages-per-minute"), gateway.getInt("rate-limit.burst"), clock);
    ChatService chat =
        new ChatService(entities, history, rateLimiter, conversationSettings, askTimeout, system);
    WebSocketEndpoint webSocket =
        new WebSocketEndpoint(
            system, entities, history, chat, gateway.getDuration("heartbeat"),
            gateway.getInt("max-frame-bytes"), clock);
    HttpApi api =
        new HttpApi(
            auth, chat, webSocket, config.getBoolean("parley.auth.dev-tokens"),
            config.getDuration("parley.auth.dev-token-ttl"));
    String host = config.getString("parley.http.host");
    int port = config.getInt("parley.http.port");
    return Http.get(system)
        .newServerAt(host, port)
        .bind(api.route())
        .thenApply(binding -> ("0.0.0.0".equals(host) ? "localhost" : host) + ":" + binding.localAddress().getPort());
  }
}
