package io.parley.store.sdkv1;

import com.amazonaws.AmazonServiceException;
import com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException;
import com.amazonaws.services.dynamodbv2.model.CancellationReason;
import com.amazonaws.services.dynamodbv2.model.ConditionalCheckFailedException;
import com.amazonaws.services.dynamodbv2.model.IdempotentParameterMismatchException;
import com.amazonaws.services.dynamodbv2.model.InternalServerErrorException;
import com.amazonaws.services.dynamodbv2.model.ResourceInUseException;
import com.amazonaws.services.dynamodbv2.model.ResourceNotFoundException;
import com.amazonaws.services.dynamodbv2.model.TransactionCanceledException;
import io.parley.store.model.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The store's refusals as the exceptions the SDK's HTTP client throws for DynamoDB's answers. */
final class SdkV1Errors {
  private SdkV1Errors() {}

  static AmazonServiceException of(StoreException failure) {
    AmazonDynamoDBException exception = switch (failure.code()) {
      case ConditionalCheckFailedException -> new ConditionalCheckFailedException(failure.getMessage())
          .withItem(failure instanceof StoreException.ConditionFailed failed ? SdkV1Values.sdkItem(failed.item()) : null);
      case ResourceNotFoundException -> new ResourceNotFoundException(failure.getMessage());
      case ResourceInUseException -> new ResourceInUseException(failure.getMessage());
      case IdempotentParameterMismatchException -> new IdempotentParameterMismatchException(failure.getMessage());
      case InternalServerError -> new InternalServerErrorException(failure.getMessage());
      case TransactionCanceledException -> canceled((StoreException.TransactionCanceled) failure);
      default -> new AmazonDynamoDBException(failure.getMessage());
    };
    exception.setErrorCode(failure.code().name());
    exception.setErrorType(failure.code() == StoreException.Code.InternalServerError
        ? AmazonServiceException.ErrorType.Service : AmazonServiceException.ErrorType.Client);
    exception.setStatusCode(failure.code() == StoreException.Code.InternalServerError ? 500 : 400);
    exception.setServiceName("AmazonDynamoDBv2");
    exception.setRequestId(UUID.randomUUID().toString());
    return exception;
  }

  private static TransactionCanceledException canceled(StoreException.TransactionCanceled failure) {
    TransactionCanceledException exception = new TransactionCanceledException(failure.getMessage());
    List<CancellationReason> reasons = new ArrayList<>();
    for (StoreException.CancellationReason reason : failure.reasons()) {
      reasons.add(new CancellationReason().withCode(reason.code()).withMessage(reason.message())
          .withItem(SdkV1Values.sdkItem(reason.item())));
    }
    exception.setCancellationReasons(reasons);
    return exception;
  }
}
