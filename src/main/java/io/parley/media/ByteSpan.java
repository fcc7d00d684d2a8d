package io.parley.media;

/** Bytes {@code first} to {@code last} (inclusive) of a media object: the part a download answers. */
public record ByteSpan(long first, long last) {
  public ByteSpan {
    if (first < 0 || last < first) {
      throw new IllegalArgumentException("no span " + first + "-" + last);
    }
  }

  public long length() {
    return last - first + 1;
  }
}
