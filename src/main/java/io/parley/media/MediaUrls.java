package io.parley.media;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Media ids and the URLs that name them. An id is 128 random bits (base64url, 22 characters), so
 * it cannot be guessed; possession of the URL is still not enough to fetch it (see MediaService).
 */
public final class MediaUrls {
  public static final String PREFIX = "/v1/media/";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{22}");
  private static final Pattern URL = Pattern.compile(Pattern.quote(PREFIX) + "(" + ID.pattern() + ")");
  private static final SecureRandom RANDOM = new SecureRandom();

  private MediaUrls() {}

  public static String newId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static boolean isValidId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** The server-relative URL clients fetch the media from and send as a message's content. */
  public static String url(String mediaId) {
    return PREFIX + mediaId;
  }

  /** The media id of one of our media URLs, or empty for anything else. */
  public static Optional<String> idOf(String url) {
    if (url == null) {
      return Optional.empty();
    }
    Matcher m = URL.matcher(url);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }
}
