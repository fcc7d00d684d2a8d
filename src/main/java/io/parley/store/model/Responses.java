package io.parley.store.model;

import java.util.List;
import java.util.Map;

/** The store's answers. A null map means DynamoDB sends none (no item, no last key). */
public final class Responses {
  private Responses() {}

  public record ItemResult(Map<String, AttributeValue> attributes) {}

  public record Page(List<Map<String, AttributeValue>> items, int count, int scannedCount,
      Map<String, AttributeValue> lastEvaluatedKey) {}

  public record BatchGetResult(Map<String, List<Map<String, AttributeValue>>> responses,
      Map<String, Requests.KeysAndAttributes> unprocessedKeys) {}
}
