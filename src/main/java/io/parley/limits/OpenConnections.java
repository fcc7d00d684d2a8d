package io.parley.limits;

import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * HTTP connections open at once per client address, from accept until they close or become a
 * WebSocket (which its token's user is then counted for). The node's connection limit is one pool
 * for everyone: without a share per address, one client holding thousands of connections that
 * never finish a request took every place and no one else got in. Counted per
 * {@link ClientAddress#share}; trusted proxies are not counted: everyone comes through them.
 */
public final class OpenConnections {
  private final int perAddress;
  private final Predicate<InetAddress> uncounted;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

  public OpenConnections(int perAddress, Predicate<InetAddress> uncounted) {
    if (perAddress < 1) {
      throw new IllegalArgumentException("connections per address must be at least 1");
    }
    this.perAddress = perAddress;
    this.uncounted = uncounted;
  }

  /**
   * A place for one more connection from {@code peer}, to be given back once (later calls do
   * nothing); empty if {@code peer} has all its places.
   */
  public Optional<Runnable> admit(InetAddress peer) {
    if (uncounted.test(peer)) {
      return Optional.of(() -> {});
    }
    String key = ClientAddress.share(peer);
    boolean[] admitted = {false};
    open.compute(key, (address, count) -> {
      int now = count == null ? 0 : count;
      admitted[0] = now < perAddress;
      return admitted[0] ? now + 1 : count;
    });
    if (!admitted[0]) {
      return Optional.empty();
    }
    AtomicBoolean given = new AtomicBoolean();
    return Optional.of(() -> {
      if (given.compareAndSet(false, true)) {
        open.computeIfPresent(key, (address, count) -> count > 1 ? count - 1 : null);
      }
    });
  }

  /** Connections counted for {@code peer}'s address (its /64 for IPv6). */
  public int count(InetAddress peer) {
    return open.getOrDefault(ClientAddress.share(peer), 0);
  }
}
