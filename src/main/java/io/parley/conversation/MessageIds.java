package io.parley.conversation;

import java.nio.charset.StandardCharsets;

/**
 * Message ids are ULIDs (26 chars of Crockford base32: 48 bits of time, 80 bits of entropy). The
 * entropy is derived from (conversation, seq), which is unique system-wide, so the id is a pure
 * function of what is stored anyway and never has to be persisted or deduplicated itself.
 */
public final class MessageIds {
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

  private MessageIds() {}

  public static String of(String conversationId, long seq, long serverTs) {
    byte[] entropy = sha256(conversationId + "\u0000" + seq);
    char[] out = new char[26];
    long time = serverTs & 0xFFFF_FFFF_FFFFL;
    for (int i = 9; i >= 0; i--) {
      out[i] = ALPHABET[(int) (time & 31)];
      time >>>= 5;
    }
    // 80 bits of entropy -> 16 characters of 5 bits each.
    int bitPos = 0;
    for (int i = 10; i < 26; i++) {
      int value = 0;
      for (int b = 0; b < 5; b++, bitPos++) {
        int bit = (entropy[bitPos / 8] >> (7 - bitPos % 8)) & 1;
        value = (value << 1) | bit;
      }
      out[i] = ALPHABET[value];
    }
    return new String(out);
  }

  static byte[] sha256(String text) {
    return Sha256.digest().digest(text.getBytes(StandardCharsets.UTF_8));
  }
}
