package io.parley.store.model;

import java.util.List;
import java.util.Map;

/** The store's requests, one record per operation, independent of any SDK. */
public final class Requests {
  private Requests() {}

  public enum ReturnValues {
    NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW;

    /** The request's ReturnValues (NONE if absent), or DynamoDB's refusal of an unknown one. */
    public static ReturnValues parse(String given) {
      if (given == null) {
        return NONE;
      }
      try {
        return valueOf(given);
      } catch (IllegalArgumentException unknown) {
        throw StoreException.validation("1 validation error detected: Value '" + given
            + "' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
      }
    }
  }

  public enum Select {
    ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, SPECIFIC_ATTRIBUTES, COUNT;

    /** The request's Select (null if absent), or DynamoDB's refusal of an unknown one. */
    public static Select parse(String given) {
      if (given == null) {
        return null;
      }
      try {
        return valueOf(given);
      } catch (IllegalArgumentException unknown) {
        throw StoreException.validation("1 validation error detected: Value '" + given
            + "' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
      }
    }
  }

  /** ReturnValuesOnConditionCheckFailure: true for ALL_OLD, false for NONE or absent. */
  public static boolean oldOnConditionFailure(String given) {
    if (given == null || given.equals("NONE")) {
      return false;
    }
    if (given.equals("ALL_OLD")) {
      return true;
    }
    throw StoreException.validation("1 validation error detected: Value '" + given
        + "' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]");
  }

  /** The expression attribute names and values a request declares (either may be null). */
  public record Placeholders(Map<String, String> names, Map<String, AttributeValue> values) {
    public static final Placeholders NONE = new Placeholders(null, null);
  }

  /**
   * {@code oldOnConditionFailure}: ReturnValuesOnConditionCheckFailure ALL_OLD, the current item
   * goes with a failed condition's refusal.
   */
  public record PutItem(String table, Map<String, AttributeValue> item, String conditionExpression,
      Placeholders placeholders, ReturnValues returnValues, boolean oldOnConditionFailure) {}

  public record GetItem(String table, Map<String, AttributeValue> key, boolean consistentRead,
      String projectionExpression, List<String> attributesToGet, Placeholders placeholders) {}

  public record DeleteItem(String table, Map<String, AttributeValue> key, String conditionExpression,
      Placeholders placeholders, ReturnValues returnValues, boolean oldOnConditionFailure) {}

  public record UpdateItem(String table, Map<String, AttributeValue> key, String updateExpression,
      String conditionExpression, Placeholders placeholders, ReturnValues returnValues, boolean oldOnConditionFailure) {}

  public record Query(String table, String indexName, String keyConditionExpression, String filterExpression,
      String projectionExpression, List<String> attributesToGet, Placeholders placeholders, Select select,
      Integer limit, Map<String, AttributeValue> exclusiveStartKey, boolean scanIndexForward,
      boolean consistentRead) {}

  public record Scan(String table, String indexName, String filterExpression, String projectionExpression,
      List<String> attributesToGet, Placeholders placeholders, Select select, Integer limit,
      Map<String, AttributeValue> exclusiveStartKey, boolean consistentRead, Integer segment,
      Integer totalSegments) {}

  /** The keys to read from one table in a BatchGetItem. */
  public record KeysAndAttributes(List<Map<String, AttributeValue>> keys, boolean consistentRead,
      String projectionExpression, List<String> attributesToGet, Placeholders placeholders) {}

  public record BatchGetItem(Map<String, KeysAndAttributes> requestItems) {}

  /** One write of a BatchWriteItem: a put ({@code item}) or a delete ({@code key}). */
  public record WriteRequest(Map<String, AttributeValue> item, Map<String, AttributeValue> key) {
    public static WriteRequest put(Map<String, AttributeValue> item) {
      return new WriteRequest(item, null);
    }

    public static WriteRequest delete(Map<String, AttributeValue> key) {
      return new WriteRequest(null, key);
    }
  }

  public record BatchWriteItem(Map<String, List<WriteRequest>> requestItems) {}

  /** One action of a TransactWriteItems. */
  public sealed interface TransactAction {
    String table();

    /** ReturnValuesOnConditionCheckFailure ALL_OLD: the item goes with this action's cancellation reason. */
    boolean oldOnConditionFailure();
  }

  public record TransactPut(String table, Map<String, AttributeValue> item, String conditionExpression,
      Placeholders placeholders, boolean oldOnConditionFailure) implements TransactAction {}

  public record TransactUpdate(String table, Map<String, AttributeValue> key, String updateExpression,
      String conditionExpression, Placeholders placeholders, boolean oldOnConditionFailure) implements TransactAction {}

  public record TransactDelete(String table, Map<String, AttributeValue> key, String conditionExpression,
      Placeholders placeholders, boolean oldOnConditionFailure) implements TransactAction {}

  public record ConditionCheck(String table, Map<String, AttributeValue> key, String conditionExpression,
      Placeholders placeholders, boolean oldOnConditionFailure) implements TransactAction {}

  public record TransactWriteItems(List<TransactAction> actions, String clientRequestToken) {}
}
