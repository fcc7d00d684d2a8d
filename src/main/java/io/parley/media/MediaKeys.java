package io.parley.media;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * Where media objects live in the bucket: {@code media/u/<uploaderKey>/<mediaId>}, so that one
 * uploader's objects are one prefix to list (account erasure) instead of a scan of the bucket.
 * Objects stored before this layout are at {@code media/<mediaId>} (their MediaActor records no
 * key).
 *
 * <p>The uploader key is the whole SHA-256 of the user id, base64url without padding (43
 * characters). User ids may hold any character, so the raw id cannot be part of a key ('/' would
 * nest prefixes, and one id could be a prefix of another). Fixed length means no key is a prefix
 * of another, and the whole digest leaves no room for two users to share a prefix, which would
 * erase one's media with the other's. The digest is not secret: the bucket is private and the
 * objects carry the uploader id in their metadata anyway.
 */
final class MediaKeys {
  static final String ROOT = "media/";
  private static final String BY_UPLOADER = ROOT + "u/";

  private MediaKeys() {}

  /** Where a new upload of {@code mediaId} by {@code uploaderId} is stored. */
  static String objectKey(String uploaderId, String mediaId) {
    return uploaderPrefix(uploaderId) + mediaId;
  }

  /** Every object {@code uploaderId} uploaded, and nobody else's, has a key starting with this. */
  static String uploaderPrefix(String uploaderId) {
    return BY_UPLOADER + uploaderKey(uploaderId) + "/";
  }

  /** Where media stored before the per-uploader layout lives. */
  static String legacyKey(String mediaId) {
    return ROOT + mediaId;
  }

  /**
   * Where the object of {@code media} may be, in the order to look. A recorded key is the only
   * place. With none it is the legacy key, or the per-uploader one: during a rolling upgrade a
   * node of this version may store the object and an older node record it, dropping the key.
   */
  static List<String> storedKeys(String mediaId, MediaActor.Media media) {
    return media.objectKey() != null
        ? List.of(media.objectKey())
        : List.of(legacyKey(mediaId), objectKey(media.uploaderId(), mediaId));
  }

  static String uploaderKey(String uploaderId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(uploaderId.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
