package io.parley.cluster;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.function.Function;

/**
 * The reply of an entity to a request: a value, or the reason it was refused. Refusals map
 * one-to-one onto the protocol's error codes, so the gateway never has to guess. {@code
 * retryAfterMs} goes with {@link Reason#RATE_LIMITED} only, and is absent from every other reply.
 */
public record Outcome<T>(
    @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) T value, Reason reason, String message,
    @JsonInclude(JsonInclude.Include.NON_NULL) Long retryAfterMs)
    implements JsonSerializable {

  public enum Reason {
    BAD_REQUEST,
    NOT_MEMBER,
    /** A member, but their role does not allow it (a plain member posting in an announcement channel). */
    FORBIDDEN,
    NOT_FOUND,
    TOO_LARGE,
    UNAVAILABLE,
    /**
     * Over one of the user's limits, with the wait. A node of an earlier version cannot read it:
     * an entity answers it only to a request that says its node counts that limit.
     */
    RATE_LIMITED,
    /**
     * A reason of a later version, read here (a rolling update): the request was refused, for a
     * reason this node cannot name. Told to the client as {@code unavailable}, with the message.
     */
    @JsonEnumDefaultValue
    UNKNOWN
  }

  public static <T> Outcome<T> ok(T value) {
    return new Outcome<>(value, null, null, null);
  }

  public static <T> Outcome<T> rejected(Reason reason, String message) {
    return new Outcome<>(null, reason, message, null);
  }

  public static <T> Outcome<T> rateLimited(String message, long retryAfterMs) {
    return new Outcome<>(null, Reason.RATE_LIMITED, message, retryAfterMs);
  }

  @JsonIgnore
  public boolean isOk() {
    return reason == null;
  }

  /** The value transformed, or the same refusal. */
  public <U> Outcome<U> map(Function<? super T, ? extends U> transform) {
    return isOk() ? ok(transform.apply(value)) : new Outcome<>(null, reason, message, retryAfterMs);
  }
}
