package io.parley.store.conformance;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import java.util.Set;

/** A DynamoDB implementation the conformance suite runs against, started once per test run. */
public interface Target extends AutoCloseable {
  /** As the suite names it in test names and reports. */
  String name();

  /** An AWS SDK v1 client of it. */
  AmazonDynamoDB client();

  /**
   * Where this target is known to depart from DynamoDB's documented behaviour. The suite then asserts
   * what the target does instead, so a fixed departure fails the test and gets taken off the list.
   */
  default Set<Departure> departures() {
    return Set.of();
  }

  /** Whether tables and their GSIs need waiting for (real DynamoDB creates them asynchronously). */
  default boolean createsTablesAsynchronously() {
    return false;
  }

  @Override
  void close();
}
