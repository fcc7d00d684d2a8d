package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.ConditionalCheckFailedException;
import com.amazonaws.services.dynamodbv2.model.DeleteItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.amazonaws.services.dynamodbv2.model.ScanResult;
import com.typesafe.config.Config;
import io.parley.cluster.Done;
import io.parley.user.ErasureRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The erasure table ({@code parley.dynamodb.erasure-table}): one item per unfinished erasure,
 * {@code u} the user id and {@code ts} when it was requested. Items are deleted once found
 * finished, so the table stays tiny and a Scan reads it all.
 */
public final class DynamoDbErasureRegistry implements ErasureRegistry {
  /** Items per Scan page: a page stays well under DynamoDB's 1 MB however long user ids are. */
  static final int SCAN_PAGE_ITEMS = 1000;

  private final AmazonDynamoDB dynamo;
  private final String table;
  private final Executor blocking;
  private final Clock clock;
  private final int scanPageItems;

  public DynamoDbErasureRegistry(AmazonDynamoDB dynamo, String table, Executor blocking, Clock clock) {
    this(dynamo, table, blocking, clock, SCAN_PAGE_ITEMS);
  }

  DynamoDbErasureRegistry(AmazonDynamoDB dynamo, String table, Executor blocking, Clock clock, int scanPageItems) {
    this.dynamo = dynamo;
    this.table = table;
    this.blocking = blocking;
    this.clock = clock;
    this.scanPageItems = scanPageItems;
  }

  /** The table the node's configuration names, through the node's client. */
  public static DynamoDbErasureRegistry fromConfig(Config config, AmazonDynamoDB dynamo, Executor blocking, Clock clock) {
    return new DynamoDbErasureRegistry(dynamo,
        config.getString("parley.dynamodb.erasure-table"), blocking, clock);
  }

  @Override
  public CompletionStage<Unfinished> started(String userId) {
    return CompletableFuture.supplyAsync(() -> {
      Unfinished erasure = new Unfinished(userId, clock.millis());
      dynamo.putItem(new PutItemRequest(table, Map.of(
          "u", new AttributeValue(userId),
          "ts", number(erasure.requestedAt()))));
      return erasure;
    }, blocking);
  }

  @Override
  public CompletionStage<Done> finished(Unfinished erasure) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        dynamo.deleteItem(new DeleteItemRequest(table, Map.of("u", new AttributeValue(erasure.userId())))
            .withConditionExpression("attribute_not_exists(u) OR #ts = :ts")
            .withExpressionAttributeNames(Map.of("#ts", "ts"))
            .withExpressionAttributeValues(Map.of(":ts", number(erasure.requestedAt()))));
      } catch (ConditionalCheckFailedException requestedAgain) {
        // A newer request's record: it stays until that erasure is found finished.
      }
      return Done.INSTANCE;
    }, blocking);
  }

  @Override
  public CompletionStage<List<Unfinished>> unfinished() {
    return CompletableFuture.supplyAsync(() -> {
      List<Unfinished> found = new ArrayList<>();
      Map<String, AttributeValue> startKey = null;
      do {
        ScanResult page = dynamo.scan(new ScanRequest(table)
            .withConsistentRead(true)
            .withLimit(scanPageItems)
            .withExclusiveStartKey(startKey));
        for (Map<String, AttributeValue> item : page.getItems()) {
          found.add(new Unfinished(item.get("u").getS(), Long.parseLong(item.get("ts").getN())));
        }
        startKey = page.getLastEvaluatedKey();
      } while (startKey != null && !startKey.isEmpty());
      return found;
    }, blocking);
  }

  private static AttributeValue number(long value) {
    return new AttributeValue().withN(Long.toString(value));
  }
}
