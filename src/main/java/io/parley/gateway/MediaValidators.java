package io.parley.gateway;

import java.util.Arrays;
import java.util.Optional;

/**
 * The validator of a media download and the conditions that use it (RFC 9110 §8.8.3, §13.1).
 * The bytes under a media id never change (an upload gets a new id; an erased object is gone, not
 * replaced), so the id itself is a strong entity tag: no Last-Modified is needed.
 */
final class MediaValidators {
  private MediaValidators() {}

  /** The strong entity tag of the media {@code mediaId}. */
  static String etag(String mediaId) {
    return "\"" + mediaId + "\"";
  }

  /**
   * Whether a {@code Range} may be honoured under {@code ifRange}: without one, or when it is the
   * media's entity tag, compared strongly. A date never matches (Parley sends no Last-Modified),
   * nor does a weak tag: the server then answers the whole file (§13.1.5).
   */
  static boolean rangeHolds(Optional<String> ifRange, String etag) {
    return ifRange.isEmpty() || ifRange.get().trim().equals(etag);
  }

  /** Whether {@code ifNoneMatch} names the media's entity tag (compared weakly) or is {@code *}. */
  static boolean noneMatchFails(Optional<String> ifNoneMatch, String etag) {
    return ifNoneMatch.isPresent() && Arrays.stream(ifNoneMatch.get().split(","))
        .map(String::trim)
        .map(tag -> tag.startsWith("W/") ? tag.substring(2) : tag)
        .anyMatch(tag -> tag.equals("*") || tag.equals(etag));
  }
}
