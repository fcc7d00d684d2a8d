package io.parley.store;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import java.util.HashMap;
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
}
