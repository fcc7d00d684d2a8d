package io.parley.store.model;

/**
 * The length of a string in UTF-8, as {@code text.getBytes(UTF_8).length} counts it (an unpaired
 * surrogate is one byte, the {@code ?} it is replaced by), without encoding it: sizes are checked
 * for every item written.
 */
public final class Utf8 {
  private Utf8() {}

  public static int length(String text) {
    int length = 0;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        length += 1;
      } else if (c < 0x800) {
        length += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        length += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        length += 1;
      } else {
        length += 3;
      }
    }
    return length;
  }
}
