package io.parley.store.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException;
import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BillingMode;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import com.amazonaws.services.dynamodbv2.model.ResourceNotFoundException;
import com.amazonaws.services.dynamodbv2.model.ScalarAttributeType;
import com.amazonaws.services.dynamodbv2.model.TableDescription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.function.Executable;

/**
 * One test's view of a target: its client, the tables the test created (deleted when the test
 * ends), and the assertions that know the target's {@link Departure departures}.
 */
public final class Sandbox implements AutoCloseable {
  private static final Duration TABLE_TIMEOUT = Duration.ofMinutes(5);
  public final Target target;
  public final AmazonDynamoDB db;
  private final List<String> tables = new ArrayList<>();

  Sandbox(Target target) {
    this.target = target;
    this.db = target.client();
  }

  /** A table of a fresh name with a hash key, on demand. */
  public String table(String hash, ScalarAttributeType hashType) {
    return create(new CreateTableRequest()
        .withAttributeDefinitions(new AttributeDefinition(hash, hashType))
        .withKeySchema(new KeySchemaElement(hash, KeyType.HASH)));
  }

  /** A table of a fresh name with a hash and a range key, on demand. */
  public String table(String hash, ScalarAttributeType hashType, String range, ScalarAttributeType rangeType) {
    return create(new CreateTableRequest()
        .withAttributeDefinitions(new AttributeDefinition(hash, hashType), new AttributeDefinition(range, rangeType))
        .withKeySchema(new KeySchemaElement(hash, KeyType.HASH), new KeySchemaElement(range, KeyType.RANGE)));
  }

  /** Creates the table (a fresh name unless it has one; on demand unless it says), waits until it is ACTIVE. */
  public String create(CreateTableRequest request) {
    if (request.getTableName() == null) {
      request.setTableName(freshName());
    }
    if (request.getBillingMode() == null && request.getProvisionedThroughput() == null) {
      request.setBillingMode(BillingMode.PAY_PER_REQUEST.toString());
    }
    db.createTable(request);
    tables.add(request.getTableName());
    if (target.createsTablesAsynchronously()) {
      awaitActive(request.getTableName());
    }
    return request.getTableName();
  }

  public static String freshName() {
    return "conformance-" + UUID.randomUUID().toString().substring(0, 13);
  }

  public Map<String, AttributeValue> get(String table, Map<String, AttributeValue> key) {
    return db.getItem(new GetItemRequest(table, key).withConsistentRead(true)).getItem();
  }

  public void put(String table, Map<String, AttributeValue> item) {
    db.putItem(table, item);
  }

  public boolean departs(Departure departure) {
    return target.departures().contains(departure);
  }

  /**
   * Asserts the documented behaviour, or, on a target known to depart from it, what that target does
   * instead (so a target that mends the departure fails here until it leaves the list).
   */
  public void documented(Departure departure, Executable documented, Executable departed) {
    run(departs(departure) ? departed : documented);
  }

  /** Asserts the request is refused with a ValidationException; returns its message. */
  public static String validation(Executable request) {
    return validation(request, () -> "");
  }

  /** As {@link #validation(Executable)}, saying which request failed to be refused. */
  public static String validation(Executable request, Supplier<String> which) {
    return refused("ValidationException", request, which).getErrorMessage();
  }

  /** Asserts the request is refused with {@code errorCode}. */
  public static AmazonDynamoDBException refused(String errorCode, Executable request) {
    return refused(errorCode, request, () -> "");
  }

  private static AmazonDynamoDBException refused(String errorCode, Executable request, Supplier<String> which) {
    AmazonDynamoDBException e = assertThrows(AmazonDynamoDBException.class, request, which);
    assertEquals(errorCode, e.getErrorCode(),
        () -> which.get() + " refused, but " + e.getErrorCode() + ": " + e.getErrorMessage());
    return e;
  }

  /** Retries the assertion while the target may still be propagating (GSIs of real DynamoDB). */
  public void eventually(Executable assertion) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        run(assertion);
        return;
      } catch (AssertionError e) {
        if (!target.createsTablesAsynchronously() || System.nanoTime() > deadline) {
          throw e;
        }
        pause();
      }
    }
  }

  /** Runs an executable, its checked exceptions passed on unchecked (they fail the test either way). */
  static void run(Executable executable) {
    try {
      executable.execute();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new AssertionError(e);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private void awaitActive(String table) {
    long deadline = System.nanoTime() + TABLE_TIMEOUT.toNanos();
    while (true) {
      TableDescription description = db.describeTable(table).getTable();
      boolean indexesActive = description.getGlobalSecondaryIndexes() == null
          || description.getGlobalSecondaryIndexes().stream().allMatch(i -> "ACTIVE".equals(i.getIndexStatus()));
      if ("ACTIVE".equals(description.getTableStatus()) && indexesActive) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(table + " not ACTIVE within " + TABLE_TIMEOUT);
      }
      pause();
    }
  }

  /** Deletes the tables this test created. */
  @Override
  public void close() {
    for (String table : tables) {
      try {
        db.deleteTable(table);
      } catch (ResourceNotFoundException deletedByTheTest) {
        // the test deleted it itself
      }
    }
  }
}
