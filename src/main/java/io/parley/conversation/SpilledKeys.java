package io.parley.conversation;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which idempotency keys a conversation moved to its {@link DedupSpill}, and where they are there,
 * so that a send whose key never moved is numbered without a lookup, and one that may have moved
 * reads one item per place. Before this, every send of a conversation that had moved keys in the
 * last 24 h waited for a lookup.
 *
 * <p>Keys move in generations of about {@link #KEYS_PER_FILTER}, each stored together in the
 * spill and remembered here by a Bloom filter and the time of its newest key. A generation whose
 * newest key is older than the window is forgotten. Past {@link #MAX_FILTERS} the oldest loses its
 * filter: until it leaves the window, every key missing from the state is looked up there too.
 * Keys moved before generations existed had an item each, and every key is looked up among them
 * until they leave the window. Constants, not settings: the event handler that adds keys must
 * rebuild the same filters on replay.
 */
@JsonAutoDetect(
    fieldVisibility = JsonAutoDetect.Visibility.NONE,
    getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class SpilledKeys {
  static final int KEYS_PER_FILTER = 10_000;
  /** A false positive costs reading one item; at this rate a filter takes about 12 KB of the snapshot. */
  static final double FALSE_POSITIVE_RATE = 0.01;
  static final int MAX_FILTERS = 4;

  /** Where a key missing from the state may be: its own item (moved before generations), or generations. */
  public record Whereabouts(boolean ownItem, List<Long> generations) {
    static final Whereabouts NOWHERE = new Whereabouts(false, List.of());

    public boolean nowhere() {
      return !ownItem && generations.isEmpty();
    }
  }

  /** A generation that lost its filter to the cap. */
  record Generation(long id, long untilTs) {}

  /** A generation of keys, moved over a stretch of time. */
  @JsonAutoDetect(
      fieldVisibility = JsonAutoDetect.Visibility.NONE,
      getterVisibility = JsonAutoDetect.Visibility.NONE,
      isGetterVisibility = JsonAutoDetect.Visibility.NONE)
  static final class Filter {
    private final long generation;
    private final BloomFilter<Long> bloom;
    private int keys;
    private long untilTs;

    private Filter(long generation, BloomFilter<Long> bloom, int keys, long untilTs) {
      this.generation = generation;
      this.bloom = bloom;
      this.keys = keys;
      this.untilTs = untilTs;
    }

    static Filter empty(long generation) {
      return new Filter(generation, BloomFilter.create(Funnels.longFunnel(), KEYS_PER_FILTER, FALSE_POSITIVE_RATE), 0, 0);
    }

    @JsonCreator
    static Filter read(
        @JsonProperty("generation") long generation,
        @JsonProperty("bits") byte[] bits,
        @JsonProperty("keys") int keys,
        @JsonProperty("untilTs") long untilTs) {
      try {
        return new Filter(
            generation, BloomFilter.readFrom(new ByteArrayInputStream(bits), Funnels.longFunnel()), keys, untilTs);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @JsonProperty("generation")
    long generation() {
      return generation;
    }

    @JsonProperty("bits")
    byte[] bits() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        bloom.writeTo(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toByteArray();
    }

    @JsonProperty("keys")
    int keys() {
      return keys;
    }

    @JsonProperty("untilTs")
    long untilTs() {
      return untilTs;
    }

    Filter copy() {
      return new Filter(generation, bloom.copy(), keys, untilTs);
    }
  }

  private final List<Filter> filters;
  private final List<Generation> unfiltered;
  /** Keys moved with an item each (before generations) are this recent; 0 if none. */
  private long ownItemsUntilTs;

  public SpilledKeys() {
    this(new ArrayList<>(), new ArrayList<>(), 0);
  }

  @JsonCreator
  SpilledKeys(
      @JsonProperty("filters") List<Filter> filters,
      @JsonProperty("unfiltered") List<Generation> unfiltered,
      @JsonProperty("ownItemsUntilTs") long ownItemsUntilTs) {
    this.filters = filters == null ? new ArrayList<>() : new ArrayList<>(filters);
    this.unfiltered = unfiltered == null ? new ArrayList<>() : new ArrayList<>(unfiltered);
    this.ownItemsUntilTs = ownItemsUntilTs;
  }

  /** Keys moved with an item each, the newest from {@code untilTs}: any key may be among them. */
  static SpilledKeys ownItems(long untilTs) {
    return new SpilledKeys(new ArrayList<>(), new ArrayList<>(), untilTs);
  }

  @JsonProperty("filters")
  List<Filter> filters() {
    return filters;
  }

  @JsonProperty("unfiltered")
  List<Generation> unfiltered() {
    return unfiltered;
  }

  @JsonProperty("ownItemsUntilTs")
  long ownItemsUntilTs() {
    return ownItemsUntilTs;
  }

  /** The generation that keys moving now, from {@code firstSeq} on, join: the newest, or a new one. */
  long generationFor(long firstSeq) {
    Filter last = filters.isEmpty() ? null : filters.get(filters.size() - 1);
    return last != null && last.keys < KEYS_PER_FILTER ? last.generation : firstSeq;
  }

  /**
   * Remembers the keys that moved (oldest first) into {@code generation}, 0 for an item each, and
   * forgets what has left the window.
   */
  void add(long generation, Map<Long, DedupWindow.Entry> moved, long windowMillis) {
    long newestTs = moved.values().stream().mapToLong(DedupWindow.Entry::serverTs).max().orElse(0);
    if (generation == 0) {
      ownItemsUntilTs = Math.max(ownItemsUntilTs, newestTs);
    } else {
      Filter filter = filters.stream().filter(f -> f.generation == generation).findFirst().orElse(null);
      if (filter == null) {
        filter = Filter.empty(generation);
        filters.add(filter);
      }
      for (Long key : moved.keySet()) {
        filter.bloom.put(key);
      }
      filter.keys += moved.size();
      filter.untilTs = Math.max(filter.untilTs, newestTs);
    }
    long oldestKept = newestTs - windowMillis;
    filters.removeIf(filter -> filter.untilTs < oldestKept);
    unfiltered.removeIf(lost -> lost.untilTs() < oldestKept);
    while (filters.size() > MAX_FILTERS) {
      Filter oldest = filters.remove(0);
      unfiltered.add(new Generation(oldest.generation, oldest.untilTs));
    }
  }

  /** Where {@code key} may be among the moved keys still inside the window at {@code now}. */
  Whereabouts whereMayBe(long key, long now, long windowMillis) {
    long oldestKept = now - windowMillis;
    List<Long> generations = new ArrayList<>();
    unfiltered.stream().filter(lost -> lost.untilTs() >= oldestKept).forEach(lost -> generations.add(lost.id()));
    for (Filter filter : filters) {
      if (filter.untilTs >= oldestKept && filter.bloom.mightContain(key)) {
        generations.add(filter.generation);
      }
    }
    boolean ownItem = ownItemsUntilTs > 0 && ownItemsUntilTs >= oldestKept;
    return ownItem || !generations.isEmpty() ? new Whereabouts(ownItem, generations) : Whereabouts.NOWHERE;
  }

  SpilledKeys copy() {
    return new SpilledKeys(filters.stream().map(Filter::copy).toList(), unfiltered, ownItemsUntilTs);
  }
}
