package io.parley.limits;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * At most {@code perKey} places held at once for each key (a client address's connections, a
 * user's uploads). A key holding none takes no memory.
 */
public final class PlacesPerKey<K> {
  private final int perKey;
  private final ConcurrentHashMap<K, Integer> held = new ConcurrentHashMap<>();

  public PlacesPerKey(int perKey) {
    if (perKey < 1) {
      throw new IllegalArgumentException("places per key must be at least 1");
    }
    this.perKey = perKey;
  }

  /** A place for {@code key}, to be given back once (later calls do nothing); empty if it holds all its places. */
  public Optional<Runnable> take(K key) {
    boolean[] taken = {false};
    held.compute(key, (k, count) -> {
      int now = count == null ? 0 : count;
      taken[0] = now < perKey;
      return taken[0] ? now + 1 : count;
    });
    if (!taken[0]) {
      return Optional.empty();
    }
    AtomicBoolean given = new AtomicBoolean();
    return Optional.of(() -> {
      if (given.compareAndSet(false, true)) {
        held.computeIfPresent(key, (k, count) -> count > 1 ? count - 1 : null);
      }
    });
  }

  /** The places {@code key} holds. */
  public int held(K key) {
    return held.getOrDefault(key, 0);
  }
}
