package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import org.junit.jupiter.api.Test;

/** Client frames and bodies over the JSON parser's limits are refused in the client's terms. */
class ClientJsonTest {
  @Test
  void framesOverTheParsersLimitsAreRefusedWithoutNamingItsInternals() {
    ApiError deep = assertThrows(ApiError.class,
        () -> ClientJson.parseObject("{\"content\":" + "[".repeat(1500) + "]".repeat(1500) + "}"));
    assertEquals(ErrorCode.BAD_REQUEST, deep.code);
    assertEquals("invalid JSON: Document nesting depth (1001) exceeds the maximum allowed (1000)", deep.getMessage());

    ApiError longNumber = assertThrows(ApiError.class,
        () -> ClientJson.parseObject("{\"seq\":1" + "0".repeat(2000) + "}"));
    assertEquals("invalid JSON: Number value length (2001) exceeds the maximum allowed (1000)", longNumber.getMessage());
  }

  @Test
  void invalidJsonSaysWhereWithoutNamingTheParsersInternals() {
    ApiError unfinished = assertThrows(ApiError.class, () -> ClientJson.parseObject("{\"type\":\"ping\""));
    assertEquals("invalid JSON at line 1, column 15: Unexpected end-of-input: expected close marker for Object "
        + "(start marker at [line: 1, column: 1])", unfinished.getMessage());
    ApiError control = assertThrows(ApiError.class, () -> ClientJson.parseObject("{\"a\":\"\u0000\"}"));
    assertEquals("invalid JSON at line 1, column 7: Illegal unquoted character ((CTRL-CHAR, code 0)): has to be "
        + "escaped using backslash to be included in string value", control.getMessage());
  }

  @Test
  void aValueThatIsNotAnObjectIsNamedAsWhatItIs() {
    assertEquals("a frame must be a JSON object",
        assertThrows(ApiError.class, () -> ClientJson.parseObject("[]")).getMessage());
    assertEquals("the body must be a JSON object",
        assertThrows(ApiError.class, () -> ClientJson.parseObject("null", "the body")).getMessage());
  }

  @Test
  void aFieldGivenTwiceIsRefusedRatherThanOneCopyChosen() {
    ApiError twice = assertThrows(ApiError.class,
        () -> ClientJson.parseObject("{\"type\":\"msg.send\",\"content\":\"a\",\"content\":\"b\"}"));
    assertEquals(ErrorCode.BAD_REQUEST, twice.code);
    assertEquals("the field \"content\" is given twice at line 1, column 43", twice.getMessage());
    // The same name in different objects is two fields.
    assertEquals("b", ClientJson.parseObject("{\"a\":{\"x\":1},\"b\":{\"x\":\"b\"}}").at("/b/x").asText());
    assertEquals("r9", ClientJson.reqIdOfRefused("{\"req_id\":\"r9\",\"a\":1,\"a\":2}"));
    assertEquals(null, ClientJson.reqIdOfRefused("{not json"));
  }

  /**
   * JSON may escape half of a surrogate pair ("\ud800"), but such a string is no Unicode text: the
   * UTF-8 the server stores and sends turns each one into '?', so two different client_msg_ids
   * would be one id to the dedup window (the second message answered as the first's retry and
   * never stored) and the content stored would not be the content acked.
   */
  @Test
  void aStringHoldingHalfASurrogatePairIsRefused() {
    for (String text : new String[] {"\\ud800", "a\\udc00b", "ok\\ud83d", "\\ude00\\ud83d"}) {
      var frame = ClientJson.parseObject("{\"client_msg_id\":\"" + text + "\",\"members\":[\"" + text + "\"]}");
      ApiError single = assertThrows(ApiError.class, () -> ClientJson.requiredString(frame, "client_msg_id"), text);
      assertEquals(ErrorCode.BAD_REQUEST, single.code);
      assertEquals("client_msg_id must be Unicode text: it holds half of a surrogate pair", single.getMessage());
      ApiError inList = assertThrows(ApiError.class, () -> ClientJson.requiredStrings(frame, "members"), text);
      assertEquals(ErrorCode.BAD_REQUEST, inList.code);
    }
    // A whole pair (an emoji) is text like any other.
    var emoji = ClientJson.parseObject("{\"content\":\"hi \\ud83d\\ude00\"}");
    assertEquals("hi \ud83d\ude00", ClientJson.requiredString(emoji, "content"));
    // The req_id of a refused frame is echoed only if it is text.
    assertEquals(null, ClientJson.reqIdOfRefused("{\"req_id\":\"r\\ud800\",\"a\":1,\"a\":2}"));
  }

  /** An integer too large for the field is out of range: telling the client it is no integer misleads. */
  @Test
  void anIntegerBeyondALongIsOutOfRangeAndAFractionIsNoInteger() {
    var frame = ClientJson.parseObject("{\"cursor\":9223372036854775808,\"seq\":-9223372036854775809,\"limit\":1.5}");
    assertEquals("cursor is out of range", assertThrows(ApiError.class,
        () -> ClientJson.optionalLong(frame, "cursor")).getMessage());
    assertEquals("seq is out of range", assertThrows(ApiError.class,
        () -> ClientJson.optionalLong(frame, "seq")).getMessage());
    assertEquals("limit must be an integer", assertThrows(ApiError.class,
        () -> ClientJson.optionalInt(frame, "limit")).getMessage());
    assertEquals(Long.MAX_VALUE, ClientJson.requiredLong(ClientJson.parseObject("{\"cursor\":9223372036854775807}"), "cursor"));
  }
}
