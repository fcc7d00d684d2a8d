package io.parley.store.conformance;

/**
 * Known differences between a target and DynamoDB's documentation. Each names the documented
 * behaviour and where AWS documents it; the documentation wins, the suite names the difference.
 */
public enum Departure {
  /**
   * A second UpdateTimeToLive on a table within the hour is accepted. API reference, UpdateTimeToLive:
   * "Any additional UpdateTimeToLive calls for the same table during this one hour duration result in
   * a ValidationException."
   */
  REPEATED_TIME_TO_LIVE_UPDATE_ACCEPTED;
}
