package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.media.ByteSpan;
import io.parley.media.RangeRequest;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which bytes of a 1000-byte object a Range header asks for (RFC 9110 §14.1.2). */
class RangeHeadersTest {
  private static final long SIZE = 1000;

  @Test
  void oneRangeAsksForItsBytesCutAtTheEnd() {
    assertEquals(span(0, 1), of("bytes=0-1"));
    assertEquals(span(5, 999), of("bytes=5-"));
    assertEquals(span(990, 999), of("bytes=-10"));
    assertEquals(span(0, 999), of("bytes=-5000"), "a suffix longer than the object is all of it");
    assertEquals(span(900, 999), of("bytes=900-5000"), "a last position past the end is the end");
    assertEquals(span(999, 999), of("Bytes = 999-999"));
    assertEquals(span(7, 999), of("bytes=7-99999999999999999999999"), "too large a last position is the end");
  }

  @Test
  void aRangeWithNoneOfTheBytesIsUnsatisfiable() {
    for (String none : new String[] {"bytes=1000-", "bytes=1000-1001", "bytes=-0", "bytes=99999999999999999999-"}) {
      Optional<RangeRequest> asked = RangeHeaders.parse(Optional.of(none));
      assertEquals(true, asked.isPresent(), none);
      assertEquals(Optional.empty(), asked.get().within(SIZE), none);
    }
    assertEquals(Optional.empty(), RangeRequest.from(0, java.util.OptionalLong.empty()).within(0), "an empty object");
  }

  @Test
  void severalRangesOrAMalformedOneAskForTheWholeObject() {
    for (String whole : new String[] {"bytes=0-1,5-6", "bytes=5-2", "pages=1-2", "bytes=-", "bytes=a-b", "bytes 0-1", ""}) {
      assertEquals(Optional.empty(), RangeHeaders.parse(Optional.of(whole)), whole);
    }
    assertEquals(Optional.empty(), RangeHeaders.parse(Optional.empty()));
  }

  private static Optional<ByteSpan> of(String header) {
    return RangeHeaders.parse(Optional.of(header)).flatMap(asked -> asked.within(SIZE));
  }

  private static Optional<ByteSpan> span(long first, long last) {
    return Optional.of(new ByteSpan(first, last));
  }
}
