package io.parley.store.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8Test {
  private static int encoded(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void everyWidthAndUnpairedSurrogatesCountAsTheEncoderWritesThem() {
    for (String text : new String[] {"", "a", "é", "€", "😀", "a😀b", "\uD83D", "\uDE00", "\uDE00\uD83D", "x\uD83D",
        "\uD83Dy", "\u07FF\u0800\uFFFF\u0080\u007F"}) {
      assertEquals(encoded(text), Utf8.length(text), text);
    }
  }

  @Test
  void randomStringsOfEveryCharacterCountAsTheEncoderWritesThem() {
    Random random = new Random(40);
    for (int round = 0; round < 5_000; round++) {
      char[] chars = new char[random.nextInt(40)];
      for (int i = 0; i < chars.length; i++) {
        chars[i] = switch (random.nextInt(4)) {
          case 0 -> (char) random.nextInt(0x80);
          case 1 -> (char) (0xD800 + random.nextInt(0x800)); // surrogates, paired or not
          default -> (char) random.nextInt(0x10000);
        };
      }
      String text = new String(chars);
      assertEquals(encoded(text), Utf8.length(text), () -> text.chars().mapToObj(Integer::toHexString).toList().toString());
    }
  }
}
