package io.parley.conversation;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 digests for message ids and membership fingerprints, both computed for every message:
 * one digest per thread, as looking one up by name each time walks the security providers.
 */
final class Sha256 {
  private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  });

  private Sha256() {}

  /** This thread's digest, empty: update it, then {@code digest()} (which empties it again). */
  static MessageDigest digest() {
    MessageDigest digest = DIGEST.get();
    digest.reset(); // a use that failed half-way leaves nothing behind
    return digest;
  }
}
