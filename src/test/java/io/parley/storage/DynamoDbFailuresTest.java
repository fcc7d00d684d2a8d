package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.model.ConditionalCheckFailedException;
import com.amazonaws.services.dynamodbv2.model.InternalServerErrorException;
import com.amazonaws.services.dynamodbv2.model.ProvisionedThroughputExceededException;
import com.amazonaws.services.dynamodbv2.model.ResourceNotFoundException;
import io.parley.metrics.FailureLog;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The store failing or throttling is told once a minute with counts by operation and code (the
 * journal plugin's own line per retried request is off); answers Parley expects are only counted.
 */
class DynamoDbFailuresTest {
  final AtomicLong nanos = new AtomicLong(1_000);
  final List<String> lines = new ArrayList<>();
  final DynamoDbFailures failures = new DynamoDbFailures(new FailureLog(nanos::get, lines::add));

  @Test
  void failuresOfTheStoreAreToldOnceAMinuteWithTheirCountsAndTheLastCause() {
    failures.failed("PutItem", withCode(new InternalServerErrorException("The store could not commit: disk full"), "InternalServerError"));
    for (int i = 0; i < 50; i++) {
      failures.failed("PutItem", withCode(new InternalServerErrorException("full"), "InternalServerError"));
      failures.failed("Query", withCode(new ProvisionedThroughputExceededException("slow down"), "ProvisionedThroughputExceededException"));
    }
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(lines.get(0).contains("PutItem InternalServerError 1") && lines.get(0).contains("disk full"), lines.get(0));

    nanos.addAndGet(60_000_000_000L);
    failures.failed("GetItem", new SocketTimeoutException("no answer"));
    assertEquals(2, lines.size());
    String line = lines.get(1);
    assertTrue(line.contains("GetItem SocketTimeoutException 1, PutItem InternalServerError 50, "
        + "Query ProvisionedThroughputExceededException 50"), line);
    assertTrue(line.endsWith("The last: GetItem: SocketTimeoutException: no answer"), line);
  }

  @Test
  void answersParleyExpectsAreNotTold() {
    failures.failed("PutItem", withCode(new ConditionalCheckFailedException("exists"), "ConditionalCheckFailedException"));
    // A fresh node's start asks for its tables before it creates them.
    failures.failed("DescribeTable", withCode(new ResourceNotFoundException("no table"), "ResourceNotFoundException"));
    assertEquals(List.of(), lines);

    failures.failed("PutItem", withCode(new ResourceNotFoundException("no table"), "ResourceNotFoundException"));
    assertEquals(1, lines.size(), "a write to a missing table is the store failing");
  }

  private static <T extends com.amazonaws.AmazonServiceException> T withCode(T failure, String code) {
    failure.setErrorCode(code);
    return failure;
  }
}
