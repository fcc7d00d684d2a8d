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
 * Which idempotency keys a conversation moved to its {@link DedupSpill}, as Bloom filters, so that
 * a send whose key never moved is numbered without a lookup there. Before this, every send of a
 * conversation that had moved keys in the last 24 h waited for one.
 *
 * <p>Each filter holds up to {@link #KEYS_PER_FILTER} keys and the time of its newest. A filter
 * whose newest key is older than the window goes; past {@link #MAX_FILTERS} the oldest goes too,
 * and until its newest key leaves the window every key missing from the state is looked up, as
 * before. Constants, not settings: the event handler that adds keys must rebuild the same filters
 * on replay.
 */
@JsonAutoDetect(
    fieldVisibility = JsonAutoDetect.Visibility.NONE,
    getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class SpilledKeys {
  static final int KEYS_PER_FILTER = 10_000;
  /** A false positive costs one lookup; at this rate a filter takes about 12 KB of the snapshot. */
  static final double FALSE_POSITIVE_RATE = 0.01;
  static final int MAX_FILTERS = 4;

  /** Keys moved over a stretch of time. */
  @JsonAutoDetect(
      fieldVisibility = JsonAutoDetect.Visibility.NONE,
      getterVisibility = JsonAutoDetect.Visibility.NONE,
      isGetterVisibility = JsonAutoDetect.Visibility.NONE)
  static final class Filter {
    private final BloomFilter<Long> bloom;
    private int keys;
    private long untilTs;

    private Filter(BloomFilter<Long> bloom, int keys, long untilTs) {
      this.bloom = bloom;
      this.keys = keys;
      this.untilTs = untilTs;
    }

    static Filter empty() {
      return new Filter(BloomFilter.create(Funnels.longFunnel(), KEYS_PER_FILTER, FALSE_POSITIVE_RATE), 0, 0);
    }

    @JsonCreator
    static Filter read(
        @JsonProperty("bits") byte[] bits, @JsonProperty("keys") int keys, @JsonProperty("untilTs") long untilTs) {
      try {
        return new Filter(BloomFilter.readFrom(new ByteArrayInputStream(bits), Funnels.longFunnel()), keys, untilTs);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
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
      return new Filter(bloom.copy(), keys, untilTs);
    }
  }

  private final List<Filter> filters;
  /** Keys moved no filter remembers (dropped past the cap, or moved before filters existed) are this recent. */
  private long unfilteredUntilTs;

  public SpilledKeys() {
    this(new ArrayList<>(), 0);
  }

  @JsonCreator
  SpilledKeys(@JsonProperty("filters") List<Filter> filters, @JsonProperty("unfilteredUntilTs") long unfilteredUntilTs) {
    this.filters = filters == null ? new ArrayList<>() : new ArrayList<>(filters);
    this.unfilteredUntilTs = unfilteredUntilTs;
  }

  /** Keys moved before they were filtered: any key may be among them until {@code untilTs} leaves the window. */
  static SpilledKeys unfiltered(long untilTs) {
    return new SpilledKeys(new ArrayList<>(), untilTs);
  }

  @JsonProperty("filters")
  List<Filter> filters() {
    return filters;
  }

  @JsonProperty("unfilteredUntilTs")
  long unfilteredUntilTs() {
    return unfilteredUntilTs;
  }

  /** Remembers the keys that moved, oldest first, and forgets what has left the window. */
  void add(Map<Long, DedupWindow.Entry> moved, long windowMillis) {
    for (Map.Entry<Long, DedupWindow.Entry> e : moved.entrySet()) {
      Filter last = filters.isEmpty() ? null : filters.get(filters.size() - 1);
      if (last == null || last.keys >= KEYS_PER_FILTER) {
        last = Filter.empty();
        filters.add(last);
      }
      last.bloom.put(e.getKey());
      last.keys++;
      last.untilTs = Math.max(last.untilTs, e.getValue().serverTs());
    }
    long newestTs = filters.isEmpty() ? 0 : filters.get(filters.size() - 1).untilTs;
    filters.removeIf(filter -> filter.untilTs < newestTs - windowMillis);
    while (filters.size() > MAX_FILTERS) {
      unfilteredUntilTs = Math.max(unfilteredUntilTs, filters.remove(0).untilTs);
    }
  }

  /** Whether {@code key} may be among the moved keys still inside the window at {@code now}. */
  boolean mayHold(long key, long now, long windowMillis) {
    long oldestKept = now - windowMillis;
    if (unfilteredUntilTs > 0 && unfilteredUntilTs >= oldestKept) {
      return true;
    }
    for (Filter filter : filters) {
      if (filter.untilTs >= oldestKept && filter.bloom.mightContain(key)) {
        return true;
      }
    }
    return false;
  }

  SpilledKeys copy() {
    return new SpilledKeys(filters.stream().map(Filter::copy).toList(), unfilteredUntilTs);
  }
}
