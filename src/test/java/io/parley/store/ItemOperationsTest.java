package io.parley.store;

import static io.parley.store.StoreFixture.item;
import static io.parley.store.StoreFixture.n;
import static io.parley.store.StoreFixture.s;
import static io.parley.store.StoreFixture.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.ConditionalCheckFailedException;
import com.amazonaws.services.dynamodbv2.model.DeleteItemRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.ResourceInUseException;
import com.amazonaws.services.dynamodbv2.model.ResourceNotFoundException;
import com.amazonaws.services.dynamodbv2.model.UpdateItemRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PutItem, GetItem, DeleteItem and UpdateItem through the in-process SDK v1 door. */
class ItemOperationsTest extends InProcessStoreTest {
  @BeforeEach
  void createTables() {
    dynamo.createTable(table("tbl", "k", null));
  }

  private Map<String, AttributeValue> get(String key) {
    return dynamo.getItem(new GetItemRequest("tbl", item("k", key)).withConsistentRead(true)).getItem();
  }

  @Test
  void putThenGetReturnsTheItemAndNumbersCanonical() {
    dynamo.putItem("tbl", item("k", "a", "n", n("001.50"), "l", new AttributeValue().withL(s("x"), n("2")),
        "m", new AttributeValue().addMEntry("in", new AttributeValue().withBOOL(true)),
        "ss", new AttributeValue().withSS("p", "q"), "nul", new AttributeValue().withNULL(true)));
    Map<String, AttributeValue> got = get("a");
    assertEquals("1.5", got.get("n").getN());
    assertEquals(List.of(s("x"), n("2")), got.get("l").getL());
    assertEquals(true, got.get("m").getM().get("in").getBOOL());
    assertEquals(List.of("p", "q"), got.get("ss").getSS());
    assertEquals(true, got.get("nul").getNULL());
    assertNull(get("missing"));
  }

  @Test
  void putReturnsTheOldItemOnlyWhenAskedForAllOld() {
    dynamo.putItem("tbl", item("k", "a", "v", "1"));
    assertNull(dynamo.putItem("tbl", item("k", "a", "v", "2")).getAttributes());
    assertEquals(s("2"), dynamo.putItem(new PutItemRequest("tbl", item("k", "a", "v", "3")).withReturnValues("ALL_OLD"))
        .getAttributes().get("v"));
    AmazonDynamoDBException refused = assertThrows(AmazonDynamoDBException.class,
        () -> dynamo.putItem(new PutItemRequest("tbl", item("k", "a")).withReturnValues("ALL_NEW")));
    assertEquals("ValidationException", refused.getErrorCode());
    assertEquals(400, refused.getStatusCode());
  }

  @Test
  void conditionExpressionsDecideWhetherAWriteHappens() {
    PutItemRequest create = new PutItemRequest("tbl", item("k", "a", "v", 1)).withConditionExpression("attribute_not_exists(k)");
    dynamo.putItem(create);
    ConditionalCheckFailedException failed = assertThrows(ConditionalCheckFailedException.class, () -> dynamo.putItem(create));
    assertEquals("ConditionalCheckFailedException", failed.getErrorCode());
    assertEquals(400, failed.getStatusCode());
    dynamo.putItem(new PutItemRequest("tbl", item("k", "a", "v", 2)).withConditionExpression("v = :one OR v > :ten")
        .withExpressionAttributeValues(item(":one", 1, ":ten", 10)));
    assertEquals("2", get("a").get("v").getN());
    assertThrows(ConditionalCheckFailedException.class, () -> dynamo.deleteItem(new DeleteItemRequest("tbl", item("k", "a"))
        .withConditionExpression("v BETWEEN :lo AND :hi").withExpressionAttributeValues(item(":lo", 5, ":hi", 9))));
    assertEquals(s("a"), dynamo.deleteItem(new DeleteItemRequest("tbl", item("k", "a")).withReturnValues("ALL_OLD")
        .withConditionExpression("v IN (:a, :b)").withExpressionAttributeValues(item(":a", 2, ":b", 3))).getAttributes().get("k"));
    assertNull(get("a"));
  }

  @Test
  void aFailedConditionReturnsTheItemWhenAskedTo() {
    dynamo.putItem("tbl", item("k", "a", "v", 1));
    ConditionalCheckFailedException failed = assertThrows(ConditionalCheckFailedException.class, () -> dynamo.putItem(
        new PutItemRequest("tbl", item("k", "a")).withConditionExpression("attribute_not_exists(k)")
            .withReturnValuesOnConditionCheckFailure("ALL_OLD")));
    assertEquals(item("k", "a", "v", 1), failed.getItem());
    ConditionalCheckFailedException without = assertThrows(ConditionalCheckFailedException.class, () -> dynamo.deleteItem(
        new DeleteItemRequest("tbl", item("k", "a")).withConditionExpression("v = :two").withExpressionAttributeValues(item(":two", 2))));
    assertNull(without.getItem());
  }

  @Test
  void updateExpressionsSetRemoveAddAndDelete() {
    dynamo.putItem("tbl", item("k", "a", "count", 1, "gone", "x", "tags", new AttributeValue().withSS("p", "q"),
        "doc", new AttributeValue().addMEntry("xs", new AttributeValue().withL(n("1"), n("2")))));
    dynamo.updateItem(new UpdateItemRequest().withTableName("tbl").withKey(item("k", "a"))
        .withUpdateExpression("SET #c = #c + :one, fresh = if_not_exists(fresh, :zero), doc.xs = list_append(doc.xs, :more)"
            + " REMOVE gone ADD tally :five, tags :r")
        .withExpressionAttributeNames(Map.of("#c", "count"))
        .withExpressionAttributeValues(item(":one", 1, ":zero", 0, ":five", 5,
            ":more", new AttributeValue().withL(n("3")), ":r", new AttributeValue().withSS("r"))));
    Map<String, AttributeValue> after = dynamo.updateItem(new UpdateItemRequest().withTableName("tbl").withKey(item("k", "a"))
        .withUpdateExpression("SET doc.xs[0] = :nine DELETE tags :p")
        .withExpressionAttributeValues(item(":nine", 9, ":p", new AttributeValue().withSS("p")))
        .withReturnValues("ALL_NEW")).getAttributes();
    assertEquals("2", after.get("count").getN());
    assertEquals("0", after.get("fresh").getN());
    assertEquals("5", after.get("tally").getN());
    assertEquals(List.of(n("9"), n("2"), n("3")), after.get("doc").getM().get("xs").getL());
    assertEquals(false, after.containsKey("gone"));
    assertEquals(List.of("q", "r"), after.get("tags").getSS());
  }

  @Test
  void updateReturnsUpdatedAttributesOldAndNew() {
    dynamo.putItem("tbl", item("k", "a", "x", 1, "y", 2));
    UpdateItemRequest update = new UpdateItemRequest().withTableName("tbl").withKey(item("k", "a"))
        .withUpdateExpression("SET x = :v").withExpressionAttributeValues(item(":v", 5));
    assertEquals(item("x", 1), dynamo.updateItem(update.clone().withReturnValues("UPDATED_OLD")).getAttributes());
    assertEquals(item("x", 5), dynamo.updateItem(update.clone().withReturnValues("UPDATED_NEW")).getAttributes());
    assertEquals(item("k", "a", "x", 5, "y", 2), dynamo.updateItem(update.clone().withReturnValues("ALL_OLD")).getAttributes());
    assertNull(dynamo.updateItem(update.clone()).getAttributes());
  }

  @Test
  void updateCreatesAMissingItemFromItsKey() {
    dynamo.updateItem(new UpdateItemRequest().withTableName("tbl").withKey(item("k", "new"))
        .withUpdateExpression("ADD e :e SET exp = :exp").withExpressionAttributeValues(item(":e", new AttributeValue().withSS("x"), ":exp", 10)));
    assertEquals(item("k", "new", "e", new AttributeValue().withSS("x"), "exp", 10), get("new"));
  }

  @Test
  void updateRefusesKeyChangesAndOverlappingPaths() {
    assertValidation(() -> dynamo.updateItem(new UpdateItemRequest().withTableName("tbl").withKey(item("k", "a"))
        .withUpdateExpression("SET k = :v").withExpressionAttributeValues(item(":v", "b"))), "part of the key");
    assertValidation(() -> dynamo.updateItem(new UpdateItemRequest().withTableName("tbl").withKey(item("k", "a"))
        .withUpdateExpression("SET a = :v REMOVE a.b").withExpressionAttributeValues(item(":v", "b"))), "overlap");
  }

  @Test
  void projectionsReturnNestedPathsAndLegacyAttributesToGet() {
    dynamo.putItem("tbl", item("k", "a", "x", 1, "y", 2, "doc", new AttributeValue().addMEntry("in", s("deep")).addMEntry("other", s("o"))));
    assertEquals(item("x", 1, "doc", new AttributeValue().addMEntry("in", s("deep"))),
        dynamo.getItem(new GetItemRequest("tbl", item("k", "a")).withProjectionExpression("x, doc.#i")
            .withExpressionAttributeNames(Map.of("#i", "in"))).getItem());
    assertEquals(item("y", 2), dynamo.getItem(new GetItemRequest("tbl", item("k", "a")).withAttributesToGet("y")).getItem());
  }

  @Test
  void keysMustMatchTheSchema() {
    assertValidation(() -> dynamo.putItem("tbl", item("k", "")), "empty string");
    assertValidation(() -> dynamo.putItem("tbl", item("k", n("1"))), "Type mismatch");
    assertValidation(() -> dynamo.putItem("tbl", item("other", "x")), "Missing the key");
    assertValidation(() -> dynamo.getItem("tbl", item("k", "a", "extra", "b")), "does not match the schema");
    dynamo.putItem("tbl", item("k", "a", "emptyIsFine", ""));
  }

  @Test
  void itemsOverFourHundredKilobytesAreRefused() {
    String big = "x".repeat(400 * 1024);
    assertValidation(() -> dynamo.putItem("tbl", item("k", "a", "big", big)), "Item size has exceeded");
    assertNull(get("a"));
    dynamo.putItem("tbl", item("k", "a", "big", "x".repeat(400 * 1024 - 10)));
  }

  @Test
  void unusedAndUndefinedPlaceholdersAndReservedWordsAreRefused() {
    assertValidation(() -> dynamo.putItem(new PutItemRequest("tbl", item("k", "a")).withConditionExpression("attribute_not_exists(k)")
        .withExpressionAttributeValues(item(":unused", 1))), "unused");
    assertValidation(() -> dynamo.putItem(new PutItemRequest("tbl", item("k", "a")).withConditionExpression("v = :missing")), "not defined");
    assertValidation(() -> dynamo.putItem(new PutItemRequest("tbl", item("k", "a")).withConditionExpression("attribute_not_exists(name)")),
        "reserved keyword");
    assertValidation(() -> dynamo.putItem(new PutItemRequest("tbl", item("k", "a")).withConditionExpression("v = = :x")
        .withExpressionAttributeValues(item(":x", 1))), "Syntax error");
  }

  @Test
  void tablesAreCreatedOnceAndMissingOnesReported() {
    assertThrows(ResourceInUseException.class, () -> dynamo.createTable(table("tbl", "k", null)));
    ResourceNotFoundException missing = assertThrows(ResourceNotFoundException.class, () -> dynamo.getItem("nope", item("k", "a")));
    assertEquals("ResourceNotFoundException", missing.getErrorCode());
    assertEquals(List.of("tbl"), dynamo.listTables().getTableNames());
    assertEquals("ACTIVE", dynamo.describeTable("tbl").getTable().getTableStatus());
    dynamo.deleteTable("tbl");
    assertThrows(ResourceNotFoundException.class, () -> dynamo.describeTable("tbl"));
  }

  @Test
  void describeTableCountsItemsInTheBackground() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      dynamo.putItem("tbl", item("k", "k" + i, "v", "value"));
    }
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    long count = dynamo.describeTable("tbl").getTable().getItemCount();
    while (count != 3 && System.nanoTime() < deadline) {
      Thread.sleep(10); // polling the background count, bounded by the deadline
      count = dynamo.describeTable("tbl").getTable().getItemCount();
    }
    assertEquals(3, count);
    assertTrue(dynamo.describeTable("tbl").getTable().getTableSizeBytes() > 3 * "value".length());
  }

  @Test
  void aStoreDirectoryServesOneStoreAtATime() {
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> EmbeddedStore.open(dir));
    assertTrue(refused.getMessage().contains("open already"), refused.getMessage());
  }

  @Test
  void legacyParametersAreRefusedNotIgnored() {
    assertValidation(() -> dynamo.putItem(new PutItemRequest("tbl", item("k", "a")).addExpectedEntry("k",
        new com.amazonaws.services.dynamodbv2.model.ExpectedAttributeValue(false))), "not supported");
    assertValidation(() -> dynamo.updateItem(new UpdateItemRequest().withTableName("tbl").withKey(item("k", "a"))
        .addAttributeUpdatesEntry("v", new com.amazonaws.services.dynamodbv2.model.AttributeValueUpdate(s("x"), "PUT"))), "not supported");
    assertTrue(true);
  }

  static void assertValidation(org.junit.jupiter.api.function.Executable call, String part) {
    AmazonDynamoDBException refused = assertThrows(AmazonDynamoDBException.class, call);
    assertEquals("ValidationException", refused.getErrorCode(), refused.getMessage());
    assertTrue(refused.getErrorMessage().contains(part), refused.getErrorMessage() + " should mention " + part);
  }
}
