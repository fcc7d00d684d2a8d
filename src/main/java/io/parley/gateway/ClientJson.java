package io.parley.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.api.ApiError;
import java.util.ArrayList;
import java.util.List;

/** The client's frames and HTTP bodies read: one JSON object each, its fields checked as PROTOCOL.md has them. */
public final class ClientJson {
  /** A field given twice would mean whichever copy the parser kept: refused rather than guessed. */
  private static final ObjectReader CLIENT_JSON =
      WireFormat.JSON.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final String DUPLICATE = "Duplicate field '";

  private ClientJson() {}

  /** Parses one client frame: a JSON object, else {@code bad_request}. */
  public static ObjectNode parseObject(String text) {
    return parseObject(text, "a frame");
  }

  /** Parses {@code what} (a frame, an HTTP body): a JSON object, else {@code bad_request} that names it. */
  public static ObjectNode parseObject(String text, String what) {
    JsonNode node;
    try {
      node = CLIENT_JSON.readTree(text);
    } catch (JsonProcessingException e) {
      String message = e.getOriginalMessage();
      if (message.startsWith(DUPLICATE)) {
        String field = message.substring(DUPLICATE.length(), message.lastIndexOf('\''));
        throw ApiError.badRequest("the field \"" + field + "\" is given twice" + where(e));
      }
      throw ApiError.badRequest("invalid JSON" + where(e) + ": " + inClientTerms(message));
    }
    if (node == null || !node.isObject()) {
      throw ApiError.badRequest(what + " must be a JSON object");
    }
    return (ObjectNode) node;
  }

  /**
   * The {@code req_id} of a frame refused before it was read (a field given twice), so that the
   * error carries it as every error does; null when there is none or the frame is not JSON.
   */
  public static String reqIdOfRefused(String text) {
    try {
      JsonNode id = WireFormat.JSON.readTree(text).get("req_id");
      return id != null && id.isTextual() && isUnicodeText(id.textValue()) ? id.textValue() : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static String where(JsonProcessingException e) {
    var at = e.getLocation();
    return at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /**
   * Jackson's words without its internals: limits name the method that sets them, and a location
   * inside the message names the source Jackson was told not to include.
   */
  private static String inClientTerms(String message) {
    return message.replaceAll(", from `[^`]*`", "").replaceAll("\\[Source: [^;]*; ", "[");
  }

  public static String optionalString(ObjectNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw ApiError.badRequest(field + " must be a string");
    }
    return text(field, value.textValue());
  }

  /**
   * JSON may escape half of a surrogate pair, but UTF-8 cannot hold it: stored or sent, each
   * becomes '?', so distinct ids would be one (a send taken for another's retry, never stored).
   */
  private static String text(String field, String value) {
    if (!isUnicodeText(value)) {
      throw ApiError.badRequest(field + " must be Unicode text: it holds half of a surrogate pair");
    }
    return value;
  }

  private static boolean isUnicodeText(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  public static String requiredString(ObjectNode node, String field) {
    String value = optionalString(node, field);
    if (value == null) {
      throw ApiError.badRequest(field + " is required");
    }
    return value;
  }

  public static Long optionalLong(ObjectNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber()) {
      throw ApiError.badRequest(field + " must be an integer");
    }
    if (!value.canConvertToLong()) {
      throw ApiError.badRequest(field + " is out of range");
    }
    return value.longValue();
  }

  public static long requiredLong(ObjectNode node, String field) {
    Long value = optionalLong(node, field);
    if (value == null) {
      throw ApiError.badRequest(field + " is required");
    }
    return value;
  }

  public static Integer optionalInt(ObjectNode node, String field) {
    Long value = optionalLong(node, field);
    if (value == null) {
      return null;
    }
    if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
      throw ApiError.badRequest(field + " is out of range");
    }
    return value.intValue();
  }

  /** An absent field is an empty list. */
  public static List<String> optionalStrings(ObjectNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? List.of() : requiredStrings(node, field);
  }

  public static List<String> requiredStrings(ObjectNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isArray()) {
      throw ApiError.badRequest(field + " must be a list of strings");
    }
    List<String> values = new ArrayList<>();
    for (JsonNode element : value) {
      if (!element.isTextual()) {
        throw ApiError.badRequest(field + " must be a list of strings");
      }
      values.add(text(field, element.textValue()));
    }
    return values;
  }
}
