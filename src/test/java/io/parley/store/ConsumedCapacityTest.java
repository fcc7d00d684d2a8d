package io.parley.store;

import static io.parley.store.ItemOperationsTest.assertValidation;
import static io.parley.store.StoreFixture.item;
import static io.parley.store.StoreFixture.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.ConsumedCapacity;
import com.amazonaws.services.dynamodbv2.model.DeleteRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.Put;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItem;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsRequest;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ReturnConsumedCapacity TOTAL: DynamoDB's sizing rules (developer guide, "Read/write capacity
 * mode": a write unit per 1 KB, a read unit per 4 KB, half for an eventually consistent read,
 * twice for a transaction), none unless asked for, INDEXES refused.
 */
class ConsumedCapacityTest extends InProcessStoreTest {
  /** An item of about 3 KB: three write units, one read unit. */
  private static final String THREE_KB = "x".repeat(3 * 1024 - 20);

  @BeforeEach
  void createTables() {
    dynamo.createTable(table("tbl", "k", null));
  }

  @Test
  void singleItemOperationsCountByItemSize() {
    ConsumedCapacity put = dynamo.putItem(new PutItemRequest("tbl", item("k", "a", "d", THREE_KB))
        .withReturnConsumedCapacity("TOTAL")).getConsumedCapacity();
    assertEquals("tbl", put.getTableName());
    assertEquals(3.0, put.getCapacityUnits());
    assertEquals(1.0, dynamo.getItem(new GetItemRequest("tbl", item("k", "a")).withConsistentRead(true)
        .withReturnConsumedCapacity("TOTAL")).getConsumedCapacity().getCapacityUnits());
    assertEquals(0.5, dynamo.getItem(new GetItemRequest("tbl", item("k", "a"))
        .withReturnConsumedCapacity("TOTAL")).getConsumedCapacity().getCapacityUnits(), "eventually consistent");
    assertEquals(0.5, dynamo.query(new QueryRequest("tbl").withKeyConditionExpression("k = :k")
        .withExpressionAttributeValues(item(":k", "a")).withReturnConsumedCapacity("TOTAL"))
        .getConsumedCapacity().getCapacityUnits());
    assertNull(dynamo.putItem(new PutItemRequest("tbl", item("k", "b"))).getConsumedCapacity(), "none unless asked");
    assertValidation(() -> dynamo.putItem(new PutItemRequest("tbl", item("k", "b")).withReturnConsumedCapacity("INDEXES")),
        "not supported");
  }

  @Test
  void batchesAndTransactionsCountPerTable() {
    List<ConsumedCapacity> batch = dynamo.batchWriteItem(new BatchWriteItemRequest(Map.of("tbl", List.of(
        new WriteRequest(new PutRequest(item("k", "a", "d", THREE_KB))),
        new WriteRequest(new DeleteRequest(item("k", "b"))))))
        .withReturnConsumedCapacity("TOTAL")).getConsumedCapacity();
    assertEquals(1, batch.size());
    assertEquals(4.0, batch.get(0).getCapacityUnits(), "three for the put, one for the delete");
    List<ConsumedCapacity> transaction = dynamo.transactWriteItems(new TransactWriteItemsRequest().withTransactItems(
        new TransactWriteItem().withPut(new Put().withTableName("tbl").withItem(item("k", "c", "d", THREE_KB))))
        .withReturnConsumedCapacity("TOTAL")).getConsumedCapacity();
    assertEquals(6.0, transaction.get(0).getCapacityUnits(), "a transactional write costs twice");
  }
}
