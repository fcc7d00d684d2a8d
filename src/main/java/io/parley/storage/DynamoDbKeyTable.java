package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.ConditionalCheckFailedException;
import com.amazonaws.services.dynamodbv2.model.DeleteItemRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
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
 * 256 bits ({@code k}). Deleting the item is what makes an erased user's content unreadable.
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
  public CompletionStage<Optional<ContentKey>> read(String userId) {
    return CompletableFuture.supplyAsync(() -> readNow(userId), blocking);
  }

  @Override
  public CompletionStage<ContentKey> storeIfAbsent(ContentKey key) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        dynamo.putItem(new PutItemRequest()
            .withTableName(table)
            .withItem(Map.of(
                "u", new AttributeValue(key.userId()),
                "kid", new AttributeValue(key.keyId()),
                "k", new AttributeValue().withB(ByteBuffer.wrap(key.secretBytes()))))
            .withConditionExpression("attribute_not_exists(u)"));
        return key;
      } catch (ConditionalCheckFailedException anotherNodeWasFirst) {
        return readNow(key.userId()).orElseThrow(() ->
            new IllegalStateException("the content key of " + key.userId() + " was deleted while being created"));
      }
    }, blocking);
  }

  @Override
  public CompletionStage<Void> delete(String userId) {
    return CompletableFuture.runAsync(
        () -> dynamo.deleteItem(new DeleteItemRequest().withTableName(table).withKey(key(userId))), blocking);
  }

  private Optional<ContentKey> readNow(String userId) {
    Map<String, AttributeValue> item = dynamo.getItem(
        new GetItemRequest().withTableName(table).withKey(key(userId)).withConsistentRead(true)).getItem();
    if (item == null || item.isEmpty()) {
      return Optional.empty();
    }
    ByteBuffer secret = item.get("k").getB();
    byte[] bytes = new byte[secret.remaining()];
    secret.duplicate().get(bytes);
    return Optional.of(ContentKey.of(userId, item.get("kid").getS(), bytes));
  }

  private static Map<String, AttributeValue> key(String userId) {
    return Map.of("u", new AttributeValue(userId));
  }
}
