package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.BillingMode;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.GlobalSecondaryIndex;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.Projection;
import com.amazonaws.services.dynamodbv2.model.ProjectionType;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import com.amazonaws.services.dynamodbv2.model.LocalSecondaryIndex;
import com.amazonaws.services.dynamodbv2.model.Projection;
import com.amazonaws.services.dynamodbv2.model.ProjectionType;
import com.amazonaws.services.dynamodbv2.model.ResourceInUseException;
import com.amazonaws.services.dynamodbv2.model.ResourceNotFoundException;
import com.amazonaws.services.dynamodbv2.model.TableStatus;
import com.amazonaws.services.dynamodbv2.model.TimeToLiveSpecification;
import com.amazonaws.services.dynamodbv2.model.UpdateTimeToLiveRequest;
import java.util.List;

/**
 * Creates the tables pekko-persistence-dynamodb expects (it does not create them itself): the
 * journal keyed by (par, num) and the snapshot store keyed by (par, seq) with the ts-idx LSI; and
 * Parley's dedup table keyed by k, whose items expire through the TTL attribute exp.
 */
public final class DynamoDbTables {
  private DynamoDbTables() {}

  /** Returns whether this call created the journal table (see {@link JournalLayout}). */
  public static boolean ensure(AmazonDynamoDB dynamo, String journalTable, String snapshotTable, String dedupTable)
      throws InterruptedException {
    boolean journalCreated = create(
        dynamo,
        new CreateTableRequest()
            .withTableName(journalTable)
            .withKeySchema(key("par", KeyType.HASH), key("num", KeyType.RANGE))
            .withAttributeDefinitions(attribute("par", "S"), attribute("num", "N"))
            .withBillingMode(BillingMode.PAY_PER_REQUEST));
    create(
        dynamo,
        new CreateTableRequest()
            .withTableName(snapshotTable)
            .withKeySchema(key("par", KeyType.HASH), key("seq", KeyType.RANGE))
            .withAttributeDefinitions(
                attribute("par", "S"), attribute("seq", "N"), attribute("ts", "N"))
            .withLocalSecondaryIndexes(
                new LocalSecondaryIndex()
                    .withIndexName("ts-idx")
                    .withKeySchema(key("par", KeyType.HASH), key("ts", KeyType.RANGE))
                    .withProjection(new Projection().withProjectionType(ProjectionType.ALL)))
            .withBillingMode(BillingMode.PAY_PER_REQUEST));
    boolean dedupCreated = create(
        dynamo,
        new CreateTableRequest()
            .withTableName(dedupTable)
            .withKeySchema(key("k", KeyType.HASH))
            .withAttributeDefinitions(attribute("k", "S"))
            .withBillingMode(BillingMode.PAY_PER_REQUEST));
    for (String table : List.of(journalTable, snapshotTable, dedupTable)) {
      awaitActive(dynamo, table);
    }
    if (dedupCreated) {
      dynamo.updateTimeToLive(new UpdateTimeToLiveRequest().withTableName(dedupTable)
          .withTimeToLiveSpecification(new TimeToLiveSpecification().withAttributeName("exp").withEnabled(true)));
    }
    return journalCreated;
  }

  /**
   * A table of items keyed by one string attribute {@code hashKey} alone (Parley's own small
   * tables: content keys, unfinished erasures).
   */
  public static void ensureKeyed(AmazonDynamoDB dynamo, String table, String hashKey) throws InterruptedException {
    create(
        dynamo,
        new CreateTableRequest()
            .withTableName(table)
            .withKeySchema(key(hashKey, KeyType.HASH))
            .withAttributeDefinitions(attribute(hashKey, "S"))
            .withBillingMode(BillingMode.PAY_PER_REQUEST));
    awaitActive(dynamo, table);
  }

  /** A table of items keyed by two string attributes: {@code hashKey}, then {@code rangeKey}. */
  public static void ensureKeyed(AmazonDynamoDB dynamo, String table, String hashKey, String rangeKey)
      throws InterruptedException {
    create(dynamo, keyed(table, hashKey, rangeKey));
    awaitActive(dynamo, table);
  }

  /**
   * {@link #ensureKeyed(AmazonDynamoDB, String, String, String)} with a global secondary index
   * {@code index} keyed the other way round ({@code rangeKey}, then {@code hashKey}), keys only:
   * one write keeps both directions, where a second table would cost a second item.
   */
  public static void ensureKeyedBothWays(AmazonDynamoDB dynamo, String table, String hashKey, String rangeKey,
      String index) throws InterruptedException {
    create(dynamo, keyed(table, hashKey, rangeKey).withGlobalSecondaryIndexes(new GlobalSecondaryIndex()
        .withIndexName(index)
        .withKeySchema(key(rangeKey, KeyType.HASH), key(hashKey, KeyType.RANGE))
        .withProjection(new Projection().withProjectionType(ProjectionType.KEYS_ONLY))));
    awaitActive(dynamo, table);
  }

  /** An on-demand table keyed by two string attributes. */
  private static CreateTableRequest keyed(String table, String hashKey, String rangeKey) {
    return new CreateTableRequest()
        .withTableName(table)
        .withKeySchema(key(hashKey, KeyType.HASH), key(rangeKey, KeyType.RANGE))
        .withAttributeDefinitions(attribute(hashKey, "S"), attribute(rangeKey, "S"))
        .withBillingMode(BillingMode.PAY_PER_REQUEST);
  }

  /** True if this call created the table. */
  private static boolean create(AmazonDynamoDB dynamo, CreateTableRequest request) {
    try {
      dynamo.describeTable(request.getTableName());
      return false;
    } catch (ResourceNotFoundException missing) {
      try {
        dynamo.createTable(request);
        return true;
      } catch (ResourceInUseException createdByAnotherNode) {
        // Several nodes may start at once against a fresh store; one of them wins.
        return false;
      }
    }
  }

  private static void awaitActive(AmazonDynamoDB dynamo, String table) throws InterruptedException {
    for (int attempt = 0; attempt < 600; attempt++) {
      String status = dynamo.describeTable(table).getTable().getTableStatus();
      if (TableStatus.ACTIVE.toString().equals(status)) {
        return;
      }
      Thread.sleep(100); // DynamoDB offers no notification for table creation; poll it.
    }
    throw new IllegalStateException("DynamoDB table " + table + " did not become ACTIVE");
  }

  private static KeySchemaElement key(String name, KeyType type) {
    return new KeySchemaElement(name, type);
  }

  private static AttributeDefinition attribute(String name, String type) {
    return new AttributeDefinition(name, type);
  }
}
