package io.parley.limits;

import java.net.InetAddress;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * HTTP connections open at once per client address, from accept until they close or become a
 * WebSocket (which its token's user is then counted for). The node's connection limit is one pool
 * for everyone: without a share per address, one client holding thousands of connections that
 * never finish a request took every place and no one else got in. Counted per
 * {@link ClientAddress#share}; trusted proxies are not counted: everyone comes through them.
 */
public final class OpenConnections {
  private final Predicate<InetAddress> uncounted;
  private final PlacesPerKey<String> open;

  public OpenConnections(int perAddress, Predicate<InetAddress> uncounted) {
    this.uncounted = uncounted;
    this.open = new PlacesPerKey<>(perAddress);
  }

  /**
   * A place for one more connection from {@code peer}, to be given back once (later calls do
   * nothing); empty if {@code peer} has all its places.
   */
  public Optional<Runnable> admit(InetAddress peer) {
    return uncounted.test(peer) ? Optional.of(() -> {}) : open.take(ClientAddress.share(peer));
  }

  /** Connections counted for {@code peer}'s address (its /64 for IPv6). */
  public int count(InetAddress peer) {
    return open.held(ClientAddress.share(peer));
  }
}
