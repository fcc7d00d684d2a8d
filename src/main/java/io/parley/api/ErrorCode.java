package io.parley.api;

import io.parley.cluster.Outcome;

/** The protocol's error codes, with the HTTP status each maps to. */
public enum ErrorCode {
  BAD_REQUEST("bad_request", 400),
  UNKNOWN_TYPE("unknown_type", 400),
  UNAUTHORIZED("unauthorized", 401),
  NOT_MEMBER("not_member", 403),
  /** An extension of PROTOCOL.md's codes: a member whose role does not allow the request. */
  FORBIDDEN("forbidden", 403),
  NOT_FOUND("not_found", 404),
  TOO_LARGE("too_large", 413),
  /** An extension: a media download's Range asks for none of the object's bytes. */
  RANGE_NOT_SATISFIABLE("range_not_satisfiable", 416),
  /** An extension: the sender's account is being erased (or was, moments ago); nothing is stored. */
  ACCOUNT_ERASING("account_erasing", 409),
  RATE_LIMITED("rate_limited", 429),
  UNAVAILABLE("unavailable", 503),
  INTERNAL("internal", 500);

  public final String wire;
  public final int httpStatus;

  ErrorCode(String wire, int httpStatus) {
    this.wire = wire;
    this.httpStatus = httpStatus;
  }

  public static ErrorCode of(Outcome.Reason reason) {
    return switch (reason) {
      case BAD_REQUEST -> BAD_REQUEST;
      case NOT_MEMBER -> NOT_MEMBER;
      case FORBIDDEN -> FORBIDDEN;
      case NOT_FOUND -> NOT_FOUND;
      case TOO_LARGE -> TOO_LARGE;
      case UNAVAILABLE, UNKNOWN -> UNAVAILABLE;
      case RATE_LIMITED -> RATE_LIMITED;
    };
  }
}
