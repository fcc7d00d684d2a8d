package io.parley.store;

import static io.parley.store.ItemOperationsTest.assertValidation;
import static io.parley.store.StoreFixture.item;
import static io.parley.store.StoreFixture.table;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.CreateGlobalSecondaryIndexAction;
import com.amazonaws.services.dynamodbv2.model.DeleteGlobalSecondaryIndexAction;
import com.amazonaws.services.dynamodbv2.model.GlobalSecondaryIndexUpdate;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.Projection;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.StreamSpecification;
import com.amazonaws.services.dynamodbv2.model.UpdateTableRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UpdateTable: a global index created over the items already there, and deleted again. */
class UpdateTableTest extends InProcessStoreTest {
  private UpdateTableRequest create(String index, String attribute) {
    return new UpdateTableRequest().withTableName("journal")
        .withAttributeDefinitions(new AttributeDefinition(attribute, "N"))
        .withGlobalSecondaryIndexUpdates(new GlobalSecondaryIndexUpdate().withCreate(new CreateGlobalSecondaryIndexAction()
            .withIndexName(index).withKeySchema(new KeySchemaElement(attribute, "HASH"), new KeySchemaElement("par", "RANGE"))
            .withProjection(new Projection().withProjectionType("KEYS_ONLY"))));
  }

  private List<String> byIndex(String index, String attribute, int value) {
    return dynamo.query(new QueryRequest("journal").withIndexName(index).withKeyConditionExpression("#a = :v")
        .withExpressionAttributeNames(java.util.Map.of("#a", attribute)).withExpressionAttributeValues(item(":v", value)))
        .getItems().stream().map(found -> found.get("par").getS()).toList();
  }

  @Test
  void globalIndexesAreBuiltFromTheItemsThereAndDroppedCleanly() {
    dynamo.createTable(table("journal", "par", "num"));
    dynamo.putItem("journal", item("par", "b", "num", 0, "x", 7, "y", 1));
    dynamo.putItem("journal", item("par", "a", "num", 0, "x", 7, "y", 2));
    dynamo.updateTable(create("by-x", "x"));
    assertEquals(List.of("a", "b"), byIndex("by-x", "x", 7));
    dynamo.updateTable(create("by-y", "y"));
    dynamo.putItem("journal", item("par", "c", "num", 0, "x", 7, "y", 2));
    assertEquals(List.of("a", "b", "c"), byIndex("by-x", "x", 7));
    dynamo.updateTable(new UpdateTableRequest().withTableName("journal").withGlobalSecondaryIndexUpdates(
        new GlobalSecondaryIndexUpdate().withDelete(new DeleteGlobalSecondaryIndexAction().withIndexName("by-x"))));
    assertEquals(List.of("a", "c"), byIndex("by-y", "y", 2));
    assertValidation(() -> byIndex("by-x", "x", 7), "does not have the specified index");
    assertEquals(1, dynamo.describeTable("journal").getTable().getGlobalSecondaryIndexes().size());
    assertValidation(() -> dynamo.updateTable(new UpdateTableRequest().withTableName("journal")
        .withStreamSpecification(new StreamSpecification().withStreamEnabled(true))), "not supported");
  }

  @Test
  void deletionProtectionIsRefusedRatherThanIgnored() {
    StoreFixture.assertDeletionProtectionRefused(dynamo);
  }
}
