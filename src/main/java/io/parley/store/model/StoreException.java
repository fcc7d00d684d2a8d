package io.parley.store.model;

import java.util.List;

/** A request the store refuses, with DynamoDB's name for the reason. */
public class StoreException extends RuntimeException {
  /** DynamoDB's error codes, as its JSON protocol names them. */
  public enum Code {
    ValidationException,
    ConditionalCheckFailedException,
    TransactionCanceledException,
    IdempotentParameterMismatchException,
    ResourceNotFoundException,
    ResourceInUseException,
    InternalServerError,
    SerializationException,
    UnknownOperationException
  }

  private final Code code;

  public StoreException(Code code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public StoreException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }

  public static StoreException validation(String message) {
    return new StoreException(Code.ValidationException, message);
  }

  public static StoreException conditionFailed() {
    return conditionFailed(null);
  }

  /** A failed condition, with the item as it is ({@code null}: not asked for, or none). */
  public static StoreException conditionFailed(java.util.Map<String, AttributeValue> item) {
    return new ConditionFailed(item);
  }

  /** A ConditionalCheckFailedException, with the current item where the request asked for it. */
  public static final class ConditionFailed extends StoreException {
    private final java.util.Map<String, AttributeValue> item;

    ConditionFailed(java.util.Map<String, AttributeValue> item) {
      super(Code.ConditionalCheckFailedException, "The conditional request failed");
      this.item = item;
    }

    public java.util.Map<String, AttributeValue> item() {
      return item;
    }
  }

  public static StoreException notFound(String message) {
    return new StoreException(Code.ResourceNotFoundException, message);
  }

  public static StoreException inUse(String message) {
    return new StoreException(Code.ResourceInUseException, message);
  }

  /** A request shape this store does not implement: refused, never answered differently. */
  public static StoreException unsupported(String what) {
    return validation(what + " is not supported by this store");
  }

  /** One action's outcome in a cancelled transaction: code "None" where the action did not fail. */
  public record CancellationReason(String code, String message, java.util.Map<String, AttributeValue> item) {
    public static final CancellationReason NONE = new CancellationReason("None", null, null);
  }

  /** A cancelled TransactWriteItems, with one reason per action in the order of the request. */
  public static final class TransactionCanceled extends StoreException {
    private final List<CancellationReason> reasons;

    public TransactionCanceled(List<CancellationReason> reasons) {
      super(Code.TransactionCanceledException, "Transaction cancelled, please refer cancellation reasons for specific reasons "
          + reasons.stream().map(CancellationReason::code).toList());
      this.reasons = List.copyOf(reasons);
    }

    public List<CancellationReason> reasons() {
      return reasons;
    }
  }
}
