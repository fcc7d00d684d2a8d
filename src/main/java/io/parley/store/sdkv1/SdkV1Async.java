package io.parley.store.sdkv1;

import com.amazonaws.AmazonWebServiceRequest;
import com.amazonaws.handlers.AsyncHandler;
import io.parley.store.model.StoreException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/** Answers of the asynchronous door, delivered as the SDK's asynchronous client delivers them. */
final class SdkV1Async {
  private SdkV1Async() {}

  /**
   * {@code call}'s answer as the SDK's asynchronous client gives it: the handler first, then the
   * future; a refusal as the SDK's exception.
   */
  static <Q extends AmazonWebServiceRequest, R> Future<R> answer(Q request, AsyncHandler<Q, R> handler,
      Supplier<CompletableFuture<R>> call) {
    CompletableFuture<R> started;
    try {
      started = call.get();
    } catch (RuntimeException refused) {
      started = CompletableFuture.failedFuture(refused);
    }
    CompletableFuture<R> answer = new CompletableFuture<>();
    started.whenComplete((result, failure) -> {
      if (failure == null) {
        if (handler != null) {
          handler.onSuccess(request, result);
        }
        answer.complete(result);
        return;
      }
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      Exception exception = cause instanceof StoreException refused ? SdkV1Errors.of(refused)
          : cause instanceof Exception other ? other : new RuntimeException(cause);
      if (handler != null) {
        handler.onError(exception);
      }
      answer.completeExceptionally(exception);
    });
    return answer;
  }

  /** A read (or a table operation) on the calling thread, as an already completed future. */
  static <R> CompletableFuture<R> now(Supplier<R> call) {
    return CompletableFuture.completedFuture(call.get());
  }
}
