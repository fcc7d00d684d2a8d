package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import org.junit.jupiter.api.Test;

/** Client frames and bodies over the JSON parser's limits are refused in the client's terms. */
class WireFormatTest {
  @Test
  void framesOverTheParsersLimitsAreRefusedWithoutNamingItsInternals() {
    ApiError deep = assertThrows(ApiError.class,
        () -> WireFormat.parseObject("{\"content\":" + "[".repeat(1500) + "]".repeat(1500) + "}"));
    assertEquals(ErrorCode.BAD_REQUEST, deep.code);
    assertEquals("invalid JSON: Document nesting depth (1001) exceeds the maximum allowed (1000)", deep.getMessage());

    ApiError longNumber = assertThrows(ApiError.class,
        () -> WireFormat.parseObject("{\"seq\":1" + "0".repeat(2000) + "}"));
    assertEquals("invalid JSON: Number value length (2001) exceeds the maximum allowed (1000)", longNumber.getMessage());
  }

  @Test
  void invalidJsonSaysWhereWithoutNamingTheParsersInternals() {
    ApiError unfinished = assertThrows(ApiError.class, () -> WireFormat.parseObject("{\"type\":\"ping\""));
    assertEquals("invalid JSON at line 1, column 15: Unexpected end-of-input: expected close marker for Object "
        + "(start marker at [line: 1, column: 1])", unfinished.getMessage());
    ApiError control = assertThrows(ApiError.class, () -> WireFormat.parseObject("{\"a\":\"\u0000\"}"));
    assertEquals("invalid JSON at line 1, column 7: Illegal unquoted character ((CTRL-CHAR, code 0)): has to be "
        + "escaped using backslash to be included in string value", control.getMessage());
  }

  @Test
  void aValueThatIsNotAnObjectIsNamedAsWhatItIs() {
    assertEquals("a frame must be a JSON object",
        assertThrows(ApiError.class, () -> WireFormat.parseObject("[]")).getMessage());
    assertEquals("the body must be a JSON object",
        assertThrows(ApiError.class, () -> WireFormat.parseObject("null", "the body")).getMessage());
  }
}
