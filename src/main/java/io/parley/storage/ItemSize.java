package io.parley.storage;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import io.parley.store.model.Utf8;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * An item's size as DynamoDB counts it against its request limits, from above: names and string
 * values in UTF-8 bytes, binary values in bytes, a number one byte more than its digits
 * (DynamoDB: one per two digits, plus one), and three bytes more for each list or map.
 */
final class ItemSize {
  private ItemSize() {}

  static long of(WriteRequest write) {
    return of(write.getPutRequest() != null ? write.getPutRequest().getItem() : write.getDeleteRequest().getKey());
  }

  static long of(Map<String, AttributeValue> item) {
    long size = 0;
    for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
      size += utf8(attribute.getKey()) + of(attribute.getValue());
    }
    return size;
  }

  private static long of(AttributeValue value) {
    if (value.getS() != null) {
      return utf8(value.getS());
    }
    if (value.getN() != null) {
      return value.getN().length() + 1;
    }
    if (value.getB() != null) {
      return bytes(value.getB());
    }
    if (value.getM() != null) {
      return 3 + of(value.getM());
    }
    if (value.getL() != null) {
      return 3 + value.getL().stream().mapToLong(ItemSize::of).sum();
    }
    if (value.getSS() != null) {
      return value.getSS().stream().mapToLong(ItemSize::utf8).sum();
    }
    if (value.getNS() != null) {
      return value.getNS().stream().mapToLong(number -> number.length() + 1).sum();
    }
    if (value.getBS() != null) {
      return value.getBS().stream().mapToLong(ItemSize::bytes).sum();
    }
    return 1; // BOOL, NULL
  }

  private static long utf8(String text) {
    return Utf8.length(text);
  }

  private static long bytes(ByteBuffer buffer) {
    return buffer.remaining();
  }
}
