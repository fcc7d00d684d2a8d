package io.parley.storage;

import com.amazonaws.AmazonServiceException;
import io.parley.metrics.FailureLog;
import io.parley.metrics.ParleyMetrics;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * A DynamoDB request that failed, however it went (an SDK client, the embedded store's in-process
 * door): counted by operation and error code, and, unless it is an answer Parley expects (a
 * refused condition: two writers raced; no such table, to a start that creates the missing
 * ones), told in one WARN line a minute. Its callers retry (the journal plugin a few times per
 * write), so the line says the store is failing or throttling, not that a write was lost: those
 * are {@code JournalFailures}' line.
 */
final class DynamoDbFailures {
  static final DynamoDbFailures NODE = new DynamoDbFailures(new FailureLog(LoggerFactory.getLogger(DynamoDbFailures.class)::warn));

  private static final Set<String> EXPECTED = Set.of("ConditionalCheckFailedException", "TransactionCanceledException");

  private final FailureLog log;

  DynamoDbFailures(FailureLog log) {
    this.log = log;
  }

  void failed(String operation, Throwable failure) {
    String code = errorCode(failure);
    ParleyMetrics.dynamoDbError(operation, code);
    if (!EXPECTED.contains(code) && !(operation.equals("DescribeTable") && code.equals("ResourceNotFoundException"))) {
      log.failed(operation + ' ' + code, counts -> "DynamoDB requests failed, and their callers retry them"
          + " (since the last such line: " + counts + "; parley_dynamodb_errors_total counts them all). The last: "
          + operation + ": " + FailureLog.rootCause(failure));
    }
  }

  /** DynamoDB's error code of {@code failure}, or the client's exception when no answer came (a timeout, a refused connection). */
  static String errorCode(Throwable failure) {
    if (failure instanceof AmazonServiceException answered && answered.getErrorCode() != null) {
      return answered.getErrorCode();
    }
    return failure.getClass().getSimpleName();
  }
}
