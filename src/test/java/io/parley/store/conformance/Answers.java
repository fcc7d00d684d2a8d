package io.parley.store.conformance;

import com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.TransactionCanceledException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Answers of two targets in a form that is equal exactly when DynamoDB's documentation says the
 * answers are equal: numbers by value, sets and attribute names without order, errors by their code
 * (messages are free text), cancellations by their reasons' codes in order.
 */
final class Answers {
  private Answers() {}

  static String item(Map<String, AttributeValue> item) {
    if (item == null) {
      return "none";
    }
    Map<String, String> sorted = new TreeMap<>();
    item.forEach((name, value) -> sorted.put(name, value(value)));
    return sorted.toString();
  }

  /** Items in the order given (a Query's order is defined). */
  static String items(List<Map<String, AttributeValue>> items) {
    return items == null ? "none" : items.stream().map(Answers::item).collect(Collectors.joining(", ", "[", "]"));
  }

  /** Items in no particular order (a Scan's, or a GSI's among equal keys). */
  static String unordered(Collection<Map<String, AttributeValue>> items) {
    return items.stream().map(Answers::item).sorted().collect(Collectors.joining(", ", "{", "}"));
  }

  static String error(AmazonDynamoDBException e) {
    if (e instanceof TransactionCanceledException cancelled && cancelled.getCancellationReasons() != null) {
      return "TransactionCanceledException" + cancelled.getCancellationReasons().stream()
          .map(reason -> reason.getCode() == null ? "None" : reason.getCode()).toList();
    }
    return e.getErrorCode();
  }

  static String value(AttributeValue value) {
    if (value.getS() != null) {
      return "S:" + value.getS();
    }
    if (value.getN() != null) {
      return "N:" + number(value.getN());
    }
    if (value.getB() != null) {
      return "B:" + bytes(value.getB());
    }
    if (value.getSS() != null) {
      return "SS:" + value.getSS().stream().sorted().toList();
    }
    if (value.getNS() != null) {
      return "NS:" + value.getNS().stream().map(Answers::number).sorted().toList();
    }
    if (value.getBS() != null) {
      return "BS:" + value.getBS().stream().map(Answers::bytes).sorted().toList();
    }
    if (value.getBOOL() != null) {
      return "BOOL:" + value.getBOOL();
    }
    if (Boolean.TRUE.equals(value.getNULL())) {
      return "NULL";
    }
    if (value.getL() != null) {
      return "L:" + value.getL().stream().map(Answers::value).toList();
    }
    if (value.getM() != null) {
      return "M:" + item(value.getM());
    }
    return "?" + value;
  }

  private static String number(String n) {
    BigDecimal decimal = new BigDecimal(n);
    return decimal.signum() == 0 ? "0" : decimal.stripTrailingZeros().toPlainString();
  }

  private static String bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
