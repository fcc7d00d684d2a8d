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
}
