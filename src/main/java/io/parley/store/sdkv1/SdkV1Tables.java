package io.parley.store.sdkv1;

import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.BillingModeSummary;
import com.amazonaws.services.dynamodbv2.model.GlobalSecondaryIndexDescription;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.ListTablesRequest;
import com.amazonaws.services.dynamodbv2.model.ListTablesResult;
import com.amazonaws.services.dynamodbv2.model.LocalSecondaryIndexDescription;
import com.amazonaws.services.dynamodbv2.model.Projection;
import com.amazonaws.services.dynamodbv2.model.ProvisionedThroughputDescription;
import com.amazonaws.services.dynamodbv2.model.TableDescription;
import io.parley.store.model.StoreException;
import io.parley.store.model.TableInfo;
import io.parley.store.model.TableSchema;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/** A table's description in the SDK's model. */
final class SdkV1Tables {
  private SdkV1Tables() {}

  static TableDescription description(TableInfo info) {
    TableSchema schema = info.schema();
    List<AttributeDefinition> definitions = new ArrayList<>();
    schema.attributeDefinitions().forEach(definition -> definitions.add(
        new AttributeDefinition(definition.attributeName(), definition.attributeType())));
    TableDescription description = new TableDescription()
        .withTableName(schema.tableName())
        .withTableArn("arn:aws:dynamodb:local:000000000000:table/" + schema.tableName())
        .withTableStatus("ACTIVE")
        .withKeySchema(keys(schema.keySchema()))
        .withAttributeDefinitions(definitions)
        .withCreationDateTime(new Date(info.creationEpochMillis()))
        .withItemCount(info.itemCount())
        .withTableSizeBytes(info.sizeBytes())
        .withBillingModeSummary(new BillingModeSummary().withBillingMode("PAY_PER_REQUEST"))
        .withProvisionedThroughput(new ProvisionedThroughputDescription().withReadCapacityUnits(0L)
            .withWriteCapacityUnits(0L).withNumberOfDecreasesToday(0L));
    if (!schema.localIndexes().isEmpty()) {
      List<LocalSecondaryIndexDescription> locals = new ArrayList<>();
      schema.localIndexes().forEach(index -> locals.add(new LocalSecondaryIndexDescription()
          .withIndexName(index.indexName()).withKeySchema(keys(index.keySchema())).withProjection(projection(index))
          .withIndexArn(description.getTableArn() + "/index/" + index.indexName())));
      description.setLocalSecondaryIndexes(locals);
    }
    if (!schema.globalIndexes().isEmpty()) {
      List<GlobalSecondaryIndexDescription> globals = new ArrayList<>();
      schema.globalIndexes().forEach(index -> globals.add(new GlobalSecondaryIndexDescription()
          .withIndexName(index.indexName()).withKeySchema(keys(index.keySchema())).withProjection(projection(index))
          .withIndexStatus("ACTIVE").withIndexArn(description.getTableArn() + "/index/" + index.indexName())
          .withProvisionedThroughput(new ProvisionedThroughputDescription().withReadCapacityUnits(0L)
              .withWriteCapacityUnits(0L).withNumberOfDecreasesToday(0L))));
      description.setGlobalSecondaryIndexes(globals);
    }
    return description;
  }

  /** One page of ListTables over {@code names} (sorted), as DynamoDB pages them. */
  static ListTablesResult page(List<String> names, ListTablesRequest request) {
    int limit = request.getLimit() == null ? 100 : request.getLimit();
    if (limit < 1 || limit > 100) {
      throw StoreException.validation("1 validation error detected: Value '" + limit
          + "' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100");
    }
    String start = request.getExclusiveStartTableName();
    List<String> page = names.stream().filter(name -> start == null || name.compareTo(start) > 0).limit(limit).toList();
    ListTablesResult result = new ListTablesResult().withTableNames(page);
    if (page.size() == limit && !page.get(page.size() - 1).equals(names.get(names.size() - 1))) {
      result.setLastEvaluatedTableName(page.get(page.size() - 1));
    }
    return result;
  }

  private static List<KeySchemaElement> keys(List<TableSchema.KeyElement> elements) {
    List<KeySchemaElement> keys = new ArrayList<>();
    elements.forEach(element -> keys.add(new KeySchemaElement(element.attributeName(), element.keyType())));
    return keys;
  }

  private static Projection projection(TableSchema.SecondaryIndex index) {
    Projection projection = new Projection().withProjectionType(index.projectionType());
    if (!index.nonKeyAttributes().isEmpty()) {
      projection.setNonKeyAttributes(index.nonKeyAttributes());
    }
    return projection;
  }
}
