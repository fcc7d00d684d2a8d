package io.parley.gateway.socket;

import io.parley.limits.OpenConnections;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * Every HTTP connection's handler, wrapped so that it counts for its client's address from accept
 * (before a request is read) until it closes or becomes a WebSocket: pekko-http ends a
 * connection's HTTP handler at the upgrade. A connection beyond its address's share answers the
 * request it sends within a second with {@code refusal}, and is closed.
 */
public final class ConnectionGuard {
  /** How long a refused connection may take to send the request it is refused. */
  static final Duration REFUSED_WAIT = Duration.ofSeconds(1);

  private ConnectionGuard() {}

  public static Flow<HttpRequest, HttpResponse, NotUsed> perAddress(
      Flow<HttpRequest, HttpResponse, NotUsed> handler, OpenConnections open, HttpResponse refusal) {
    return Flow.<HttpRequest, HttpResponse, NotUsed>fromMaterializer((materializer, attributes) -> {
      Optional<InetAddress> peer = PekkoHttpInternals.remoteAddress(attributes);
      // Without a peer (remote-address-attribute off) nothing is counted rather than all refused.
      Optional<Runnable> place = peer.isEmpty() ? Optional.of(() -> {}) : open.admit(peer.get());
      if (place.isEmpty()) {
        return Flow.<HttpRequest>create()
            .take(1)
            .map(request -> {
              request.discardEntityBytes(materializer);
              return refusal;
            })
            .takeWithin(REFUSED_WAIT)
            .mapMaterializedValue(unused -> NotUsed.getInstance());
      }
      return handler.watchTermination((unused, ended) -> {
        ended.whenComplete((done, failure) -> place.get().run());
        return NotUsed.getInstance();
      });
    }).mapMaterializedValue(unused -> NotUsed.getInstance());
  }
}
