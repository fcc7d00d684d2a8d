package io.parley.limits;

import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code total} places held at once on this node, and of those at most {@code perKey} for
 * one key (a user's media uploads or downloads): one client cannot hold the node's places.
 */
public final class Places<K> {
  /** What {@link #take} gave: a place, or which limit refused it. */
  public sealed interface Place {}

  /** A place, to be given back once by {@code giveBack} (later calls do nothing). */
  public record Held(Runnable giveBack) implements Place {}

  /** The key holds all of its places. */
  public record KeyFull() implements Place {}

  /** The node's places are all held. */
  public record AllFull() implements Place {}

  private final int total;
  private final int perKey;
  private final AtomicInteger held = new AtomicInteger();
  private final PlacesPerKey<K> byKey;

  public Places(int total, int perKey) {
    this.total = total;
    this.perKey = perKey;
    this.byKey = new PlacesPerKey<>(perKey);
  }

  /** A place for {@code key}, or why there is none; a refusal holds nothing. */
  public Place take(K key) {
    Optional<Runnable> keyPlace = byKey.take(key);
    if (keyPlace.isEmpty()) {
      return new KeyFull();
    }
    if (held.incrementAndGet() > total) {
      held.decrementAndGet();
      keyPlace.get().run();
      return new AllFull();
    }
    AtomicBoolean given = new AtomicBoolean();
    return new Held(() -> {
      if (given.compareAndSet(false, true)) {
        held.decrementAndGet();
        keyPlace.get().run();
      }
    });
  }

  /**
   * A place for {@code key} as an outcome: its give-back, or {@code UNAVAILABLE} saying which limit
   * refused it, in words about {@code what} the places hold ("uploads", "downloads").
   */
  public Outcome<Runnable> takeOrRefuse(K key, String what) {
    Place place = take(key);
    if (place instanceof Held held) {
      return Outcome.ok(held.giveBack());
    }
    return Outcome.rejected(Reason.UNAVAILABLE, place instanceof KeyFull
        ? "you have " + perKey + " " + what + " in progress on this node; finish one first"
        : "too many " + what + " in progress; retry later");
  }

  /** Places held now, of every key. */
  public int held() {
    return held.get();
  }
}
