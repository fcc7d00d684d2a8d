package io.parley.gateway;

import io.parley.media.RangeRequest;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one byte range a {@code Range} header asks for (RFC 9110 §14.1.2), if it asks for one.
 * Anything else (another unit, several ranges, a malformed value) is empty: the server may answer
 * the whole representation then, which is simpler than multipart/byteranges, and players ask for
 * one range at a time.
 */
final class RangeHeaders {
  private static final Pattern ONE_RANGE = Pattern.compile("bytes\\s*=\\s*(\\d*)-(\\d*)\\s*");

  private RangeHeaders() {}

  static Optional<RangeRequest> parse(Optional<String> header) {
    if (header.isEmpty()) {
      return Optional.empty();
    }
    Matcher range = ONE_RANGE.matcher(header.get().trim().toLowerCase(Locale.ROOT));
    if (!range.matches()) {
      return Optional.empty();
    }
    String first = range.group(1);
    String last = range.group(2);
    if (first.isEmpty()) {
      return last.isEmpty() ? Optional.empty() : Optional.of(RangeRequest.suffix(number(last)));
    }
    OptionalLong end = last.isEmpty() ? OptionalLong.empty() : OptionalLong.of(number(last));
    if (end.isPresent() && end.getAsLong() < number(first)) {
      return Optional.empty(); // invalid: the header is ignored
    }
    return Optional.of(RangeRequest.from(number(first), end));
  }

  /** Digits as a number; one too large for a long is past the end of any object. */
  private static long number(String digits) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException tooLarge) {
      return Long.MAX_VALUE;
    }
  }
}
