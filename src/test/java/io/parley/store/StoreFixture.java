package io.parley.store;

import static io.parley.store.ItemOperationsTest.assertValidation;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import com.amazonaws.services.dynamodbv2.model.UpdateTableRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Helpers shared by the store's tests: tables and items in the SDK's model. */
final class StoreFixture {
  private StoreFixture() {}

  static AttributeValue s(String value) {
    return new AttributeValue().withS(value);
  }

  static AttributeValue n(String value) {
    return new AttributeValue().withN(value);
  }

  /** An item from name, value, name, value... */
  static Map<String, AttributeValue> item(Object... namesAndValues) {
    Map<String, AttributeValue> item = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      Object value = namesAndValues[i + 1];
      item.put((String) namesAndValues[i], value instanceof AttributeValue attribute ? attribute
          : value instanceof Number number ? n(number.toString()) : s((String) value));
    }
    return item;
  }

  /** A table keyed by {@code hash} (S) and, if not null, {@code range} (N). */
  static CreateTableRequest table(String name, String hash, String range) {
    CreateTableRequest request = new CreateTableRequest().withTableName(name).withBillingMode("PAY_PER_REQUEST");
    if (range == null) {
      return request.withKeySchema(new KeySchemaElement(hash, KeyType.HASH))
          .withAttributeDefinitions(new AttributeDefinition(hash, "S"));
    }
    return request.withKeySchema(new KeySchemaElement(hash, KeyType.HASH), new KeySchemaElement(range, KeyType.RANGE))
        .withAttributeDefinitions(new AttributeDefinition(hash, "S"), new AttributeDefinition(range, "N"));
  }

  static void create(AmazonDynamoDB dynamo, CreateTableRequest request) {
    dynamo.createTable(request);
  }

  /**
   * The store has no deletion protection: a table asking for it is refused, not created to be
   * deleted later by a DeleteTable that DynamoDB would refuse. Each door reads the flag itself.
   */
  static void assertDeletionProtectionRefused(AmazonDynamoDB dynamo) {
    assertValidation(() -> dynamo.createTable(table("guarded", "par", "num").withDeletionProtectionEnabled(true)),
        "DeletionProtectionEnabled is not supported");
    assertEquals(List.of(), dynamo.listTables().getTableNames());
    dynamo.createTable(table("journal", "par", "num").withDeletionProtectionEnabled(false));
    assertValidation(() -> dynamo.updateTable(new UpdateTableRequest().withTableName("journal")
        .withDeletionProtectionEnabled(true)), "DeletionProtectionEnabled is not supported");
  }
}
