package io.parley.api;

import io.parley.metrics.ParleyMetrics;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/** A request refused with a protocol error code; rendered as an error frame or HTTP status. */
public final class ApiError extends RuntimeException {
  public final ErrorCode code;
  public final Long retryAfterMs;

  public ApiError(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ApiError(ErrorCode code, String message, Long retryAfterMs) {
    super(message, null, false, false);
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }

  /** Counts this refusal by code; called where it is rendered for the client. */
  public ApiError counted() {
    ParleyMetrics.rejected(code.wire);
    return this;
  }

  public static ApiError badRequest(String message) {
    return new ApiError(ErrorCode.BAD_REQUEST, message);
  }

  /** Maps any failure of a request to what the client is told. */
  public static ApiError from(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
    if (cause instanceof ApiError apiError) {
      return apiError;
    }
    if (cause instanceof TimeoutException) {
      // An entity that did not answer in time: overloaded, restarting or moving. Safe to retry,
      // since sends are idempotent.
      return new ApiError(ErrorCode.UNAVAILABLE, "the server could not complete this in time; retry");
    }
    return new ApiError(ErrorCode.INTERNAL, "internal error");
  }
}
