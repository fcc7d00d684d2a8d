package io.parley.store;

import static io.parley.store.ItemOperationsTest.assertValidation;
import static io.parley.store.StoreFixture.item;
import static io.parley.store.StoreFixture.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemResult;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.ConditionCheck;
import com.amazonaws.services.dynamodbv2.model.Delete;
import com.amazonaws.services.dynamodbv2.model.DeleteRequest;
import com.amazonaws.services.dynamodbv2.model.KeysAndAttributes;
import com.amazonaws.services.dynamodbv2.model.Put;
import com.amazonaws.services.dynamodbv2.model.PutRequest;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItem;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsRequest;
import com.amazonaws.services.dynamodbv2.model.TransactionCanceledException;
import com.amazonaws.services.dynamodbv2.model.Update;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** BatchGetItem, BatchWriteItem and TransactWriteItems. */
class BatchAndTransactionTest extends InProcessStoreTest {
  @BeforeEach
  void createTables() {
    dynamo.createTable(table("tbl", "k", null));
  }

  private static WriteRequest put(Map<String, AttributeValue> item) {
    return new WriteRequest().withPutRequest(new PutRequest().withItem(item));
  }

  @Test
  void batchWriteThenBatchGet() {
    List<WriteRequest> writes = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      writes.add(put(item("k", "k" + i, "v", i)));
    }
    assertEquals(Map.of(), dynamo.batchWriteItem(new BatchWriteItemRequest(Map.of("tbl", writes))).getUnprocessedItems());
    dynamo.batchWriteItem(new BatchWriteItemRequest(Map.of("tbl", List.of(new WriteRequest().withDeleteRequest(new DeleteRequest(item("k", "k0")))))));
    List<Map<String, AttributeValue>> keys = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      keys.add(item("k", "k" + i));
    }
    BatchGetItemResult got = dynamo.batchGetItem(new BatchGetItemRequest(Map.of("tbl",
        new KeysAndAttributes().withKeys(keys).withConsistentRead(true).withProjectionExpression("v"))));
    assertEquals(2, got.getResponses().get("tbl").size());
    assertEquals(Map.of(), got.getUnprocessedKeys());
  }

  @Test
  void batchLimitsAndDuplicatesAreRefused() {
    List<WriteRequest> writes = new ArrayList<>();
    for (int i = 0; i < 26; i++) {
      writes.add(put(item("k", "k" + i)));
    }
    assertValidation(() -> dynamo.batchWriteItem(new BatchWriteItemRequest(Map.of("tbl", writes))), "Too many items");
    assertValidation(() -> dynamo.batchWriteItem(new BatchWriteItemRequest(Map.of("tbl",
        List.of(put(item("k", "a")), put(item("k", "a")))))), "duplicates");
    List<Map<String, AttributeValue>> keys = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      keys.add(item("k", "k" + i));
    }
    assertValidation(() -> dynamo.batchGetItem(new BatchGetItemRequest(Map.of("tbl", new KeysAndAttributes().withKeys(keys)))),
        "Too many items");
    assertValidation(() -> dynamo.batchGetItem(new BatchGetItemRequest(Map.of("tbl",
        new KeysAndAttributes().withKeys(item("k", "a"), item("k", "a"))))), "duplicates");
  }

  @Test
  void batchGetLeavesKeysBeyondSixteenMegabytesUnprocessed() {
    String payload = "x".repeat(390_000);
    List<Map<String, AttributeValue>> keys = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      dynamo.putItem("tbl", item("k", "k" + i, "payload", payload));
      keys.add(item("k", "k" + i));
    }
    BatchGetItemResult got = dynamo.batchGetItem(new BatchGetItemRequest(Map.of("tbl", new KeysAndAttributes().withKeys(keys))));
    int returned = got.getResponses().get("tbl").size();
    int unprocessed = got.getUnprocessedKeys().get("tbl").getKeys().size();
    assertEquals(50, returned + unprocessed);
    // BatchGetItem "can retrieve up to 16 MB of data" (API reference): the item that would cross it waits.
    assertEquals(43, returned, "16 MB holds 43 items of 390 KB; the 44th would cross it");
  }

  @Test
  void transactionWritesAllOrNothingWithReasonsInOrder() {
    dynamo.putItem("tbl", item("k", "exists", "v", 1));
    TransactWriteItemsRequest failing = new TransactWriteItemsRequest().withTransactItems(
        new TransactWriteItem().withPut(new Put().withTableName("tbl").withItem(item("k", "new"))),
        new TransactWriteItem().withConditionCheck(new ConditionCheck().withTableName("tbl").withKey(item("k", "exists"))
            .withConditionExpression("v = :two").withExpressionAttributeValues(item(":two", 2))
            .withReturnValuesOnConditionCheckFailure("ALL_OLD")),
        new TransactWriteItem().withDelete(new Delete().withTableName("tbl").withKey(item("k", "other"))));
    dynamo.putItem("tbl", item("k", "other"));
    TransactionCanceledException canceled = assertThrows(TransactionCanceledException.class, () -> dynamo.transactWriteItems(failing));
    assertEquals("TransactionCanceledException", canceled.getErrorCode());
    assertEquals(List.of("None", "ConditionalCheckFailed", "None"),
        canceled.getCancellationReasons().stream().map(reason -> reason.getCode()).toList());
    assertEquals(item("k", "exists", "v", 1), canceled.getCancellationReasons().get(1).getItem());
    assertNull(canceled.getCancellationReasons().get(0).getItem());
    assertNull(dynamo.getItem("tbl", item("k", "new")).getItem());
    assertEquals(item("k", "exists", "v", 1), dynamo.getItem("tbl", item("k", "exists")).getItem());
    assertEquals(item("k", "other"), dynamo.getItem("tbl", item("k", "other")).getItem());

    dynamo.transactWriteItems(new TransactWriteItemsRequest().withTransactItems(
        new TransactWriteItem().withPut(new Put().withTableName("tbl").withItem(item("k", "new"))),
        new TransactWriteItem().withUpdate(new Update().withTableName("tbl").withKey(item("k", "exists"))
            .withUpdateExpression("SET v = v + :one").withConditionExpression("v = :one")
            .withExpressionAttributeValues(item(":one", 1)))));
    assertEquals(item("k", "new"), dynamo.getItem("tbl", item("k", "new")).getItem());
    assertEquals(item("k", "exists", "v", 2), dynamo.getItem("tbl", item("k", "exists")).getItem());
  }

  @Test
  void aRetriedTransactionWithItsTokenIsNotAppliedTwice() {
    dynamo.putItem("tbl", item("k", "counter", "n", 0));
    TransactWriteItemsRequest increment = new TransactWriteItemsRequest().withClientRequestToken("token-1").withTransactItems(
        new TransactWriteItem().withUpdate(new Update().withTableName("tbl").withKey(item("k", "counter"))
            .withUpdateExpression("ADD n :one").withExpressionAttributeValues(item(":one", 1))));
    dynamo.transactWriteItems(increment);
    dynamo.transactWriteItems(increment.clone());
    assertEquals(item("k", "counter", "n", 1), dynamo.getItem("tbl", item("k", "counter")).getItem());
    var other = new TransactWriteItemsRequest().withClientRequestToken("token-1").withTransactItems(
        new TransactWriteItem().withDelete(new Delete().withTableName("tbl").withKey(item("k", "counter"))));
    var mismatch = assertThrows(com.amazonaws.services.dynamodbv2.model.IdempotentParameterMismatchException.class,
        () -> dynamo.transactWriteItems(other));
    assertEquals("IdempotentParameterMismatchException", mismatch.getErrorCode());
  }

  @Test
  void aTransactionTokenOutlivesARestartOfTheStore() {
    dynamo.putItem("tbl", item("k", "counter", "n", 0));
    TransactWriteItemsRequest increment = new TransactWriteItemsRequest().withClientRequestToken("token-2").withTransactItems(
        new TransactWriteItem().withUpdate(new Update().withTableName("tbl").withKey(item("k", "counter"))
            .withUpdateExpression("ADD n :one").withExpressionAttributeValues(item(":one", 1))));
    dynamo.transactWriteItems(increment);
    store.close();
    store = EmbeddedStore.open(dir);
    dynamo = store.inProcessClient();
    dynamo.transactWriteItems(increment.clone());
    assertEquals(item("k", "counter", "n", 1), dynamo.getItem("tbl", item("k", "counter")).getItem(),
        "a retry after a restart is answered, not applied again");
  }

  @Test
  void aCancelledTransactionLeavesItsTokenFree() {
    TransactWriteItemsRequest conditional = new TransactWriteItemsRequest().withClientRequestToken("token-3").withTransactItems(
        new TransactWriteItem().withPut(new Put().withTableName("tbl").withItem(item("k", "a", "v", 1))
            .withConditionExpression("attribute_exists(k)")));
    assertThrows(TransactionCanceledException.class, () -> dynamo.transactWriteItems(conditional));
    dynamo.putItem("tbl", item("k", "a"));
    dynamo.transactWriteItems(conditional.clone());
    assertEquals(item("k", "a", "v", 1), dynamo.getItem("tbl", item("k", "a")).getItem());
  }

  @Test
  void transactionsRefuseTwoActionsOnOneItemAndMoreThanAHundredOrNone() {
    assertValidation(() -> dynamo.transactWriteItems(new TransactWriteItemsRequest()), "Member must not be null");
    assertValidation(() -> dynamo.transactWriteItems(new TransactWriteItemsRequest().withTransactItems(List.of())),
        "greater than or equal to 1");
    assertValidation(() -> dynamo.transactWriteItems(new TransactWriteItemsRequest().withTransactItems(
        new TransactWriteItem().withPut(new Put().withTableName("tbl").withItem(item("k", "a"))),
        new TransactWriteItem().withDelete(new Delete().withTableName("tbl").withKey(item("k", "a"))))), "multiple operations on one item");
    List<TransactWriteItem> many = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      many.add(new TransactWriteItem().withPut(new Put().withTableName("tbl").withItem(item("k", "k" + i))));
    }
    assertValidation(() -> dynamo.transactWriteItems(new TransactWriteItemsRequest().withTransactItems(many)), "less than or equal to 100");
  }
}
