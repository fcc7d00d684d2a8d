package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.parley.api.ApiError;
import org.junit.jupiter.api.Test;

/** A group's title is 1–200 characters as a user counts them: an emoji is one, not two UTF-16 units. */
class GroupTitlesTest {
  private static final String CLIMBER = "\uD83E\uDDD7"; // U+1F9D7, outside the BMP

  @Test
  void aTitleIsCountedInCharactersNotUtf16Units() {
    assertDoesNotThrow(() -> GroupRequests.checkTitle(CLIMBER.repeat(200)));
    assertDoesNotThrow(() -> GroupRequests.checkTitle("x".repeat(200)));
    assertEquals("title must be 1–200 characters",
        assertThrows(ApiError.class, () -> GroupRequests.checkTitle(CLIMBER.repeat(201))).getMessage());
    assertThrows(ApiError.class, () -> GroupRequests.checkTitle("x".repeat(201)));
    assertThrows(ApiError.class, () -> GroupRequests.checkTitle(" "));
    assertThrows(ApiError.class, () -> GroupRequests.checkTitle("a\u0007b"));
  }

  /**
   * A line or paragraph separator, or an invisible format character (one that reorders text, as
   * U+202E does, or hides in it), is refused as a control character is: before, only Cc was.
   */
  @Test
  void aTitleWithASeparatorOrAnInvisibleFormatCharacterIsRefusedNamingIt() {
    String[][] refused = {
        {"Crag\u2028night", "U+2028"}, {"Crag\u2029", "U+2029"}, {"\u202Egnilbmic", "U+202E"},
        {"Cr\u200Bag", "U+200B"}, {"\uFEFFCrag", "U+FEFF"}, {"Crag\u2066x\u2069", "U+2066"}, {"Crag\u0085", "U+0085"},
        {"a\u0007b", "U+0007"}, {"Crag\uDB40\uDC01", "U+E0001"}};
    for (String[] c : refused) {
      assertEquals("title must not hold " + c[1] + ": no control, format (invisible) or line-breaking characters",
          assertThrows(ApiError.class, () -> GroupRequests.checkTitle(c[0]), c[1]).getMessage(), c[1]);
    }
  }

  /** What emoji and scripts need stays: joiners (ZWJ, ZWNJ) and the tags of a subdivision flag. */
  @Test
  void theJoinersAndFlagTagsThatEmojiAndScriptsNeedAreKept() {
    assertDoesNotThrow(() -> GroupRequests.checkTitle("\uD83D\uDC69\u200D\uD83D\uDC67 family")); // ZWJ
    assertDoesNotThrow(() -> GroupRequests.checkTitle("\u0645\u06CC\u200C\u062E\u0648\u0627\u0645")); // ZWNJ, Persian
    assertDoesNotThrow(() -> GroupRequests.checkTitle( // Scotland: a black flag, the tags g b s c t, cancel tag
        "\uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62\uDB40\uDC73\uDB40\uDC63\uDB40\uDC74\uDB40\uDC7F"));
    assertDoesNotThrow(() -> GroupRequests.checkTitle("Caf\u00E9 \u2764\uFE0F")); // a variation selector is no format character
  }

  /** Right-to-left keyboards put the direction marks into text, around digits and Latin words. */
  @Test
  void theDirectionMarksOfRightToLeftTextAreKept() {
    assertDoesNotThrow(() -> GroupRequests.checkTitle("\u05D7\u05D1\u05E8\u05D9\u05DD \u200F2024\u200F")); // RLM, Hebrew
    assertDoesNotThrow(() -> GroupRequests.checkTitle("\u200EParley \u0641\u0631\u064A\u0642")); // LRM, Arabic
    assertDoesNotThrow(() -> GroupRequests.checkTitle("\u0641\u0631\u064A\u0642 \u061C3")); // ALM
  }

  /**
   * A title made only of blanks that are not Java whitespace (no-break and other fixed spaces,
   * Hangul fillers, the braille blank, variation selectors, joiners, direction marks) shows
   * nothing: it is refused as a blank one is. Before, String.isBlank let them through.
   */
  @Test
  void aTitleOfOnlyInvisibleBlanksIsRefused() {
    String[] blank = {"\u00A0", "\u2007", "\u202F", "\u3000", "\u3164", "\u115F", "\u1160", "\uFFA0",
        "\u2800", "\u3164\u3164\u3164", " \u00A0\u2800 ", "\u200D", "\u200E\u200F", "\uFE0F", "\u034F",
        "\uDB40\uDC67", "\uD834\uDD59"};
    for (String title : blank) {
      String shown = title.codePoints().mapToObj(c -> String.format("U+%04X", c)).toList().toString();
      assertEquals("title must hold a visible character",
          assertThrows(ApiError.class, () -> GroupRequests.checkTitle(title), shown).getMessage(), shown);
    }
    assertDoesNotThrow(() -> GroupRequests.checkTitle("\u3164x"));
    assertDoesNotThrow(() -> GroupRequests.checkTitle("\u00A0\u2764\uFE0F\u00A0"));
    assertDoesNotThrow(() -> GroupRequests.checkTitle("\u0915\u094D\u200D")); // Devanagari, a joiner
    assertDoesNotThrow(() -> GroupRequests.checkTitle("\u2801")); // a braille dot is seen
  }

  /**
   * Combining marks show only on a character before them, and a noncharacter is never assigned:
   * a title of only these has nothing to show, and is refused as a blank one is. Before, only
   * spaces and format characters counted as blank, so two acute accents (U+0301 U+0301) was a
   * title. Inside a title with a visible character they stay, direction marks too.
   */
  @Test
  void aTitleOfOnlyCombiningMarksOrNoncharactersIsRefused() {
    String[] nothingToShow = {"\u0301\u0301", "\u0301", "\u20DD", "\u0903", "\uFDD0", "\uFFFE\uFFFF",
        "\uD83F\uDFFF", " \u0301 ", "\u200F\u0301\u200E", "\u061C\uFDEF", "\u0301\uFE0F\u200D"};
    for (String title : nothingToShow) {
      String shown = title.codePoints().mapToObj(c -> String.format("U+%04X", c)).toList().toString();
      assertEquals("title must hold a visible character",
          assertThrows(ApiError.class, () -> GroupRequests.checkTitle(title), shown).getMessage(), shown);
    }
    assertDoesNotThrow(() -> GroupRequests.checkTitle("Cafe\u0301")); // a mark on a letter
    assertDoesNotThrow(() -> GroupRequests.checkTitle("\u200F\u05D0\u05B8\u200F")); // RLM, alef with qamats
    assertDoesNotThrow(() -> GroupRequests.checkTitle("1\uFE0F\u20E3")); // keycap one
  }

  /**
   * A code point newer than this Java's Unicode version (17: Unicode 13) is one a client may well
   * know and draw: U+1FAE0, the melting face, is an emoji of Unicode 14. It is a title.
   */
  @Test
  void aCodePointNewerThanThisJavasUnicodeIsATitle() {
    assertEquals(Character.UNASSIGNED, Character.getType(0x1FAE0), "unassigned in this Java");
    assertDoesNotThrow(() -> GroupRequests.checkTitle("\uD83E\uDEE0"));
    assertDoesNotThrow(() -> GroupRequests.checkTitle("\u0378"));
  }
}
