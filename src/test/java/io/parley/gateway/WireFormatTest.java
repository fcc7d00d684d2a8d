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
}
