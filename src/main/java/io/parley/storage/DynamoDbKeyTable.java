package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.ConditionalCheckFailedException;
import com.amazonaws.services.dynamodbv2.model.DeleteItemRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.UpdateItemRequest;
import io.parley.privacy.ContentKey;
import io.parley.privacy.KeyTable;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The content-key table: one item per user ({@code u}), with the key's id ({@code kid}) and its
 * 256 bits ({@code k}), and while the user's account is being erased the time it began ({@code e},
 * epoch millis). Deleting {@code kid} and {@code k} is what makes an erased user's content
 * unreadable; an item with {@code e} stays without them until the same id gets a new key.
 */
public final class DynamoDbKeyTable implements KeyTable {
  private final AmazonDynamoDB dynamo;
  private final String table;
  private final Executor blocking;

  public DynamoDbKeyTable(AmazonDynamoDB dynamo, String table, Executor blocking) {
    this.dynamo = dynamo;
    this.table = table;
    this.blocking = blocking;
  }

  @Override
  public CompletionStage<Row> read(String userId) {
    return CompletableFuture.supplyAsync(() -> readNow(userId), blocking);
  }

  @Override
  public CompletionStage<Row> storeIfAbsent(ContentKey key, long erasedBefore) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        dynamo.putItem(new PutItemRequest()
            .withTableName(table)
            .withItem(Map.of(
                "u", new AttributeValue(key.userId()),
                "kid", new AttributeValue(key.keyId()),
                "k", new AttributeValue().withB(ByteBuffer.wrap(key.secretBytes()))))
            .withConditionExpression("attribute_not_exists(u) OR (attribute_not_exists(k) AND e < :before)")
            .withExpressionAttributeValues(Map.of(":before", new AttributeValue().withN(Long.toString(erasedBefore)))));
        return Row.of(key);
      } catch (ConditionalCheckFailedException anotherNodeWasFirstOrErasing) {
        return readNow(key.userId());
      }
    }, blocking);
  }

  @Override
  public CompletionStage<Void> markErasing(String userId, long since, long keepFrom) {
    return CompletableFuture.runAsync(() -> {
      try {
        dynamo.updateItem(new UpdateItemRequest()
            .withTableName(table)
            .withKey(key(userId))
            .withUpdateExpression("SET e = :since")
            .withConditionExpression("attribute_not_exists(e) OR e < :keepFrom")
            .withExpressionAttributeValues(Map.of(
                ":since", new AttributeValue().withN(Long.toString(since)),
                ":keepFrom", new AttributeValue().withN(Long.toString(keepFrom)))));
      } catch (ConditionalCheckFailedException markedByThisErasure) {
        // kept as it is
      }
    }, blocking);
  }

  @Override
  public CompletionStage<Void> delete(String userId) {
    return CompletableFuture.runAsync(() -> {
      try {
        dynamo.deleteItem(new DeleteItemRequest().withTableName(table).withKey(key(userId))
            .withConditionExpression("attribute_not_exists(e)"));
      } catch (ConditionalCheckFailedException marked) {
        dynamo.updateItem(new UpdateItemRequest()
            .withTableName(table)
            .withKey(key(userId))
            .withUpdateExpression("REMOVE k, kid"));
      }
    }, blocking);
  }

  private Row readNow(String userId) {
    Map<String, AttributeValue> item = dynamo.getItem(
        new GetItemRequest().withTableName(table).withKey(key(userId)).withConsistentRead(true)).getItem();
    if (item == null || item.isEmpty()) {
      return Row.NONE;
    }
    long erasingSince = item.containsKey("e") ? Long.parseLong(item.get("e").getN()) : 0;
    if (!item.containsKey("k")) {
      return new Row(Optional.empty(), erasingSince);
    }
    ByteBuffer secret = item.get("k").getB();
    byte[] bytes = new byte[secret.remaining()];
    secret.duplicate().get(bytes);
    return new Row(Optional.of(ContentKey.of(userId, item.get("kid").getS(), bytes)), erasingSince);
  }

  private static Map<String, AttributeValue> key(String userId) {
    return Map.of("u", new AttributeValue(userId));
  }
}
