package io.parley.media;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * One byte range a client asks of a download (RFC 9110 §14.1.2), before the object's size is
 * known: from {@code first} to {@code last} or to the end, or, without {@code first}, the last
 * {@code last} bytes.
 */
public record RangeRequest(OptionalLong first, OptionalLong last) {
  public RangeRequest {
    if (first.isEmpty() && last.isEmpty()) {
      throw new IllegalArgumentException("a range needs a first position or a suffix length");
    }
    if (first.isPresent() && last.isPresent() && last.getAsLong() < first.getAsLong()) {
      throw new IllegalArgumentException("a range cannot end before it starts");
    }
  }

  /** {@code first}- or {@code first}-{@code last}. */
  public static RangeRequest from(long first, OptionalLong last) {
    return new RangeRequest(OptionalLong.of(first), last);
  }

  /** The last {@code length} bytes. */
  public static RangeRequest suffix(long length) {
    return new RangeRequest(OptionalLong.empty(), OptionalLong.of(length));
  }

  /**
   * The bytes asked of an object of {@code size} bytes, a last position past the end cut to the
   * end; empty when none of them is there (a first position at or past the end, a suffix of 0).
   */
  public Optional<ByteSpan> within(long size) {
    if (first.isEmpty()) {
      long length = Math.min(last.getAsLong(), size);
      return length <= 0 ? Optional.empty() : Optional.of(new ByteSpan(size - length, size - 1));
    }
    long from = first.getAsLong();
    if (from >= size) {
      return Optional.empty();
    }
    return Optional.of(new ByteSpan(from, Math.min(last.orElse(size - 1), size - 1)));
  }
}
