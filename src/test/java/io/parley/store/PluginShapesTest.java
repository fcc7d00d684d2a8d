package io.parley.store;

import static io.parley.store.StoreFixture.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.DeleteRequest;
import com.amazonaws.services.dynamodbv2.model.GlobalSecondaryIndex;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import com.amazonaws.services.dynamodbv2.model.KeysAndAttributes;
import com.amazonaws.services.dynamodbv2.model.LocalSecondaryIndex;
import com.amazonaws.services.dynamodbv2.model.Projection;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.ReturnConsumedCapacity;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.amazonaws.services.dynamodbv2.model.Select;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request shapes pekko-persistence-dynamodb 1.1.0 sends (read from its classes: key
 * conditions, filters, projections, Select, ReturnConsumedCapacity), answered as DynamoDB does.
 */
class PluginShapesTest extends InProcessStoreTest {
  @BeforeEach
  void createTables() {
    dynamo.createTable(new CreateTableRequest().withTableName("journal")
        .withKeySchema(new KeySchemaElement("par", KeyType.HASH), new KeySchemaElement("num", KeyType.RANGE))
        .withAttributeDefinitions(new AttributeDefinition("par", "S"), new AttributeDefinition("num", "N"))
        .withGlobalSecondaryIndexes(new GlobalSecondaryIndex().withIndexName("persistence-ids-idx")
            .withKeySchema(new KeySchemaElement("num", KeyType.HASH), new KeySchemaElement("par", KeyType.RANGE))
            .withProjection(new Projection().withProjectionType("KEYS_ONLY"))));
    dynamo.createTable(new CreateTableRequest().withTableName("snapshot")
        .withKeySchema(new KeySchemaElement("par", KeyType.HASH), new KeySchemaElement("seq", KeyType.RANGE))
        .withAttributeDefinitions(new AttributeDefinition("par", "S"), new AttributeDefinition("seq", "N"),
            new AttributeDefinition("ts", "N"))
        .withLocalSecondaryIndexes(new LocalSecondaryIndex().withIndexName("ts-idx")
            .withKeySchema(new KeySchemaElement("par", KeyType.HASH), new KeySchemaElement("ts", KeyType.RANGE))
            .withProjection(new Projection().withProjectionType("ALL"))));
  }

  private static AttributeValue bytes(int n) {
    return new AttributeValue().withB(ByteBuffer.wrap(new byte[] {(byte) n}));
  }

  @Test
  void journalWritesReplaysAndDeletes() {
    List<WriteRequest> writes = new java.util.ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      writes.add(new WriteRequest().withPutRequest(new PutRequest().withItem(item("par", "pid-0", "num", i, "pay", bytes(i)))));
    }
    assertEquals(Map.of(), dynamo.batchWriteItem(new BatchWriteItemRequest(Map.of("journal", writes))
        .withReturnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).getUnprocessedItems());
    QueryRequest replay = new QueryRequest("journal").withKeyConditionExpression("par = :kkey AND num BETWEEN :startSKey AND :endSKey")
        .withExpressionAttributeValues(item(":kkey", "pid-0", ":startSKey", 3, ":endSKey", 7)).withConsistentRead(true)
        .withReturnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
    replay.setLimit(2);
    replay.setSelect(Select.ALL_ATTRIBUTES);
    var page = dynamo.query(replay);
    assertEquals(List.of("3", "4"), page.getItems().stream().map(one -> one.get("num").getN()).toList());
    assertEquals(bytes(3), page.getItems().get(0).get("pay"));
    var highest = dynamo.query(new QueryRequest("journal").withKeyConditionExpression("par = :kkey")
        .withExpressionAttributeValues(item(":kkey", "pid-0")).withProjectionExpression("num").withScanIndexForward(false)
        .withConsistentRead(true).withLimit(1));
    assertEquals(List.of(item("num", 10)), highest.getItems());
    dynamo.batchWriteItem(new BatchWriteItemRequest(Map.of("journal",
        List.of(new WriteRequest().withDeleteRequest(new DeleteRequest(item("par", "pid-0", "num", 1)))))));
    var got = dynamo.batchGetItem(new BatchGetItemRequest(Map.of("journal", new KeysAndAttributes()
        .withKeys(item("par", "pid-0", "num", 1), item("par", "pid-0", "num", 2)).withConsistentRead(true)))
        .withReturnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    assertEquals(1, got.getResponses().get("journal").size());
  }

  @Test
  void persistenceIdsThroughTheIndexAndAScan() {
    for (String pid : List.of("b", "a", "c")) {
      dynamo.putItem("journal", item("par", pid, "num", 0));
      dynamo.putItem("journal", item("par", pid, "num", 1));
    }
    var ids = dynamo.query(new QueryRequest("journal").withIndexName("persistence-ids-idx")
        .withKeyConditionExpression("num = :n AND par > :p").withExpressionAttributeValues(item(":n", 0, ":p", "a")));
    assertEquals(List.of("b", "c"), ids.getItems().stream().map(one -> one.get("par").getS()).toList());
    var scanned = dynamo.scan(new ScanRequest("journal").withProjectionExpression("par").withFilterExpression("num = :n")
        .withExpressionAttributeValues(item(":n", 0)));
    assertEquals(3, scanned.getCount());
    assertEquals(6, scanned.getScannedCount());
    assertNull(scanned.getLastEvaluatedKey());
  }

  @Test
  void snapshotLoadsFilterByTimestamp() {
    for (int seq = 1; seq <= 5; seq++) {
      dynamo.putItem("snapshot", item("par", "pid", "seq", seq, "ts", 1000 + seq, "snap", bytes(seq)));
    }
    var loaded = dynamo.query(new QueryRequest("snapshot")
        .withKeyConditionExpression("par = :partitionKeyVal AND seq BETWEEN :seqMinVal AND :seqMaxVal")
        .withFilterExpression("ts BETWEEN :tsMinVal AND :tsMaxVal")
        .withExpressionAttributeValues(item(":partitionKeyVal", "pid", ":seqMinVal", 0, ":seqMaxVal", 4,
            ":tsMinVal", 1002, ":tsMaxVal", 1999))
        .withScanIndexForward(false).withConsistentRead(true));
    assertEquals(List.of("4", "3", "2"), loaded.getItems().stream().map(one -> one.get("seq").getN()).toList());
    var byTime = dynamo.query(new QueryRequest("snapshot").withIndexName("ts-idx")
        .withKeyConditionExpression("par = :partitionKeyVal AND ts BETWEEN :tsMinVal AND :tsMaxVal")
        .withExpressionAttributeValues(item(":partitionKeyVal", "pid", ":tsMinVal", 1004, ":tsMaxVal", 1999))
        .withConsistentRead(true));
    assertEquals(List.of("4", "5"), byTime.getItems().stream().map(one -> one.get("seq").getN()).toList());
  }
}
