package io.parley.storage;

import com.amazonaws.AmazonWebServiceRequest;
import com.amazonaws.Request;
import com.amazonaws.Response;
import com.amazonaws.handlers.RequestHandler2;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsRequest;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import io.parley.metrics.ParleyMetrics;
import java.util.List;

/**
 * Counts every DynamoDB request that leaves this JVM, by operation, and the items it writes:
 * storage requests per message are both the latency and the bill; and those that fail, once the
 * SDK has given up retrying them ({@link DynamoDbFailures}). Registered for every AWS SDK v1
 * client (the persistence plugin's included) through the SDK's global handler list,
 * {@code com/amazonaws/global/handlers/request.handler2s}.
 */
public final class DynamoDbRequestCounter extends RequestHandler2 {
  private static final String DYNAMODB_MODEL = "com.amazonaws.services.dynamodbv2.model.";

  @Override
  public void beforeRequest(Request<?> request) {
    String operation = operation(request.getOriginalRequest());
    if (operation != null) {
      ParleyMetrics.dynamoDbRequest(operation, itemsWritten(request.getOriginalRequest()));
    }
  }

  @Override
  public void afterError(Request<?> request, Response<?> response, Exception failure) {
    String operation = operation(request.getOriginalRequest());
    if (operation != null) {
      DynamoDbFailures.NODE.failed(operation, failure);
    }
  }

  /** The DynamoDB operation {@code request} is (PutItem, Query, …), or null for another service's request. */
  static String operation(AmazonWebServiceRequest request) {
    String type = request.getClass().getName();
    return type.startsWith(DYNAMODB_MODEL) ? request.getClass().getSimpleName().replaceFirst("Request$", "") : null;
  }

  static int itemsWritten(AmazonWebServiceRequest request) {
    if (request instanceof PutItemRequest) {
      return 1;
    }
    if (request instanceof BatchWriteItemRequest batch) {
      int puts = 0;
      for (List<WriteRequest> writes : batch.getRequestItems().values()) {
        for (WriteRequest write : writes) {
          if (write.getPutRequest() != null) {
            puts++;
          }
        }
      }
      return puts;
    }
    if (request instanceof TransactWriteItemsRequest transaction) {
      return (int) transaction.getTransactItems().stream().filter(item -> item.getPut() != null).count();
    }
    return 0;
  }
}
