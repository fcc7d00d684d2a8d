package io.parley.privacy;

import java.util.Optional;

/**
 * A short text sealed with its author's key that names the key itself, for fields that are kept
 * where no sender id or key id sits beside them: a group's title, in the conversation's events,
 * every member's inbox entry and invites. A control character starts it, which no title may
 * hold, so a title stored before titles were sealed reads as plain text.
 */
public record SealedText(String userId, String keyId, String sealed) {
  private static final char MARK = '\u0001';

  /** {@code text} sealed with {@code key} for {@code place}, as stored. */
  public static String seal(ContentKey key, String text, String place) {
    return MARK + key.userId() + MARK + key.keyId() + MARK + key.seal(text, place);
  }

  /** The parts of a stored text; empty for one in plain text. */
  public static Optional<SealedText> parse(String stored) {
    int key = keyMark(stored);
    if (key < 0) {
      return Optional.empty();
    }
    int user = stored.indexOf(MARK, 1);
    return Optional.of(new SealedText(stored.substring(1, user), stored.substring(user + 1, key),
        stored.substring(key + 1)));
  }

  /** Whether {@code stored} is sealed (else it is plain text, or null); asked of every title shown, so it copies nothing. */
  public static boolean isSealed(String stored) {
    return keyMark(stored) >= 0;
  }

  /** Where the mark before the sealed text is; -1 for plain text. */
  private static int keyMark(String stored) {
    if (stored == null || stored.isEmpty() || stored.charAt(0) != MARK) {
      return -1;
    }
    int user = stored.indexOf(MARK, 1);
    return user < 0 ? -1 : stored.indexOf(MARK, user + 1);
  }

  /** Whether {@code key} is the key it names. */
  public boolean sealedWith(ContentKey key) {
    return key.userId().equals(userId) && key.keyId().equals(keyId);
  }

  /** The plain text, if {@code key} is the one it was sealed with for {@code place}. */
  public Optional<String> open(ContentKey key, String place) {
    return sealedWith(key) ? key.open(sealed, place) : Optional.empty();
  }
}
