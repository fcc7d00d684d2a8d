package io.parley.privacy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One user's key for the content of the messages they send (AES-256-GCM). Content is stored
 * sealed with its sender's key wherever it is stored (journal events, snapshots, cold segments,
 * other members' inbox previews); erasing the user deletes the key, and every copy becomes
 * unreadable without being found and rewritten. {@code keyId} tells a key from the one a user
 * gets after an erasure, so that content sealed with the old one is never taken for new.
 */
public record ContentKey(String userId, String keyId, SecretKey secret) {
  private static final String CIPHER = "AES/GCM/NoPadding";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * A cipher per thread, initialised anew for every seal and open (a fresh IV each time): looking
   * one up by name for each message walks the security providers and allocates as much again as
   * the sealing itself.
   */
  private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(ContentKey::newCipher);

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance(CIPHER);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  public static ContentKey generate(String userId) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    byte[] id = new byte[9];
    RANDOM.nextBytes(id);
    return of(userId, Base64.getUrlEncoder().withoutPadding().encodeToString(id), secret);
  }

  public static ContentKey of(String userId, String keyId, byte[] secret) {
    return new ContentKey(userId, keyId, new SecretKeySpec(secret, "AES"));
  }

  public byte[] secretBytes() {
    return secret.getEncoded();
  }

  /**
   * {@code plaintext} sealed for one place ({@code place}, e.g. a conversation and a message in it):
   * {@value #PLACED} then base64url of a random IV, the ciphertext and the tag. It opens only
   * when asked for at that same place, so that a blob copied to another message reads as gone.
   */
  public String seal(String plaintext, String place) {
    return PLACED + seal(plaintext, placed(place));
  }

  /** The plaintext; empty if {@code sealed} was not sealed with this key for {@code place} (or was altered). */
  public Optional<String> open(String sealed, String place) {
    if (sealed.startsWith(PLACED)) {
      return open(sealed.substring(PLACED.length()), placed(place));
    }
    // Sealed before content was bound to its place: it carries no marker and opens as it did.
    return open(sealed, boundTo());
  }

  /**
   * Marks content sealed for a place. Not a base64url character, so content sealed before it
   * never starts with it; removing it does not help either, as the tag covers the place.
   */
  static final String PLACED = "2.";

  private String seal(String plaintext, byte[] aad) {
    byte[] iv = new byte[IV_BYTES];
    RANDOM.nextBytes(iv);
    try {
      Cipher cipher = CIPHERS.get();
      cipher.init(Cipher.ENCRYPT_MODE, secret, new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(aad);
      byte[] plain = plaintext.getBytes(StandardCharsets.UTF_8);
      byte[] sealed = new byte[IV_BYTES + cipher.getOutputSize(plain.length)];
      System.arraycopy(iv, 0, sealed, 0, IV_BYTES);
      int length = IV_BYTES + cipher.doFinal(plain, 0, plain.length, sealed, IV_BYTES);
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(length == sealed.length ? sealed : Arrays.copyOf(sealed, length));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  private Optional<String> open(String sealed, byte[] aad) {
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(sealed);
    } catch (IllegalArgumentException notBase64) {
      return Optional.empty();
    }
    if (bytes.length < IV_BYTES + TAG_BITS / 8) {
      return Optional.empty();
    }
    try {
      Cipher cipher = CIPHERS.get();
      cipher.init(Cipher.DECRYPT_MODE, secret, new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
      cipher.updateAAD(aad);
      byte[] plain = cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES);
      return Optional.of(new String(plain, StandardCharsets.UTF_8));
    } catch (AEADBadTagException wrongKey) {
      return Optional.empty();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  /** Sealed content opens only under its sender's key of that id, not under another user's. */
  private byte[] boundTo() {
    return (userId + "\n" + keyId).getBytes(StandardCharsets.UTF_8);
  }

  /** As {@link #boundTo}, and to one place; the leading marker keeps it apart from the unplaced form. */
  private byte[] placed(String place) {
    return (PLACED + "\n" + userId + "\n" + keyId + "\n" + place).getBytes(StandardCharsets.UTF_8);
  }

  /** Where a message's content is: its conversation and its sender's id for it. */
  public static String messagePlace(String conversationId, String clientMsgId) {
    return "m\n" + conversationId + "\n" + clientMsgId;
  }

  /** Where an inbox preview is: its conversation. */
  public static String previewPlace(String conversationId) {
    return "p\n" + conversationId;
  }

  /** Where a group's title is: its conversation. */
  public static String titlePlace(String conversationId) {
    return "t\n" + conversationId;
  }

  /** Where an invite's start of a group's title is: the group (each invite to it holds the same). */
  public static String invitePlace(String conversationId) {
    return "i\n" + conversationId;
  }

  @Override
  public String toString() {
    return "ContentKey[" + userId + ", " + keyId + "]"; // never the secret, not even in logs
  }
}
