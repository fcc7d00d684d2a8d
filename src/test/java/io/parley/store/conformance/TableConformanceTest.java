package io.parley.store.conformance;

import static io.parley.store.conformance.Sandbox.refused;
import static io.parley.store.conformance.Sandbox.validation;
import static io.parley.store.conformance.Values.item;
import static io.parley.store.conformance.Values.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.DescribeTimeToLiveResult;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.GlobalSecondaryIndex;
import com.amazonaws.services.dynamodbv2.model.GlobalSecondaryIndexDescription;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import com.amazonaws.services.dynamodbv2.model.ListTablesRequest;
import com.amazonaws.services.dynamodbv2.model.ListTablesResult;
import com.amazonaws.services.dynamodbv2.model.LocalSecondaryIndex;
import com.amazonaws.services.dynamodbv2.model.LocalSecondaryIndexDescription;
import com.amazonaws.services.dynamodbv2.model.Projection;
import com.amazonaws.services.dynamodbv2.model.ProjectionType;
import com.amazonaws.services.dynamodbv2.model.ProvisionedThroughput;
import com.amazonaws.services.dynamodbv2.model.ResourceNotFoundException;
import com.amazonaws.services.dynamodbv2.model.ScalarAttributeType;
import com.amazonaws.services.dynamodbv2.model.TableDescription;
import com.amazonaws.services.dynamodbv2.model.TimeToLiveSpecification;
import com.amazonaws.services.dynamodbv2.model.UpdateTimeToLiveRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTimeToLive and DescribeTimeToLive. */
class TableConformanceTest {

  @ConformanceTest
  void createsTablesWithStringNumberAndBinaryKeys(Sandbox box) {
    for (ScalarAttributeType type : ScalarAttributeType.values()) {
      String table = box.table("h", type, "r", type);
      TableDescription description = box.db.describeTable(table).getTable();
      assertEquals(table, description.getTableName());
      assertEquals("ACTIVE", description.getTableStatus());
      assertEquals(List.of(new KeySchemaElement("h", KeyType.HASH), new KeySchemaElement("r", KeyType.RANGE)),
          description.getKeySchema());
      assertEquals(List.of(type.toString(), type.toString()),
          description.getAttributeDefinitions().stream().map(AttributeDefinition::getAttributeType).toList());
      assertEquals(0L, description.getItemCount());
      assertNotNull(description.getTableArn());
    }
  }

  @ConformanceTest
  void describesLocalAndGlobalSecondaryIndexesWithTheirProjections(Sandbox box) {
    String table = box.create(new CreateTableRequest()
        .withAttributeDefinitions(new AttributeDefinition("par", ScalarAttributeType.S),
            new AttributeDefinition("seq", ScalarAttributeType.N), new AttributeDefinition("ts", ScalarAttributeType.N),
            new AttributeDefinition("g", ScalarAttributeType.S))
        .withKeySchema(new KeySchemaElement("par", KeyType.HASH), new KeySchemaElement("seq", KeyType.RANGE))
        .withLocalSecondaryIndexes(new LocalSecondaryIndex().withIndexName("ts-idx")
            .withKeySchema(new KeySchemaElement("par", KeyType.HASH), new KeySchemaElement("ts", KeyType.RANGE))
            .withProjection(new Projection().withProjectionType(ProjectionType.ALL)))
        .withGlobalSecondaryIndexes(
            gsi("keys-idx", new Projection().withProjectionType(ProjectionType.KEYS_ONLY)),
            gsi("include-idx", new Projection().withProjectionType(ProjectionType.INCLUDE).withNonKeyAttributes("a", "b")),
            gsi("all-idx", new Projection().withProjectionType(ProjectionType.ALL))));
    TableDescription description = box.db.describeTable(table).getTable();

    LocalSecondaryIndexDescription lsi = description.getLocalSecondaryIndexes().get(0);
    assertEquals("ts-idx", lsi.getIndexName());
    assertEquals(List.of(new KeySchemaElement("par", KeyType.HASH), new KeySchemaElement("ts", KeyType.RANGE)),
        lsi.getKeySchema());
    assertEquals("ALL", lsi.getProjection().getProjectionType());

    Map<String, GlobalSecondaryIndexDescription> gsis = description.getGlobalSecondaryIndexes().stream()
        .collect(Collectors.toMap(GlobalSecondaryIndexDescription::getIndexName, Function.identity()));
    assertEquals("KEYS_ONLY", gsis.get("keys-idx").getProjection().getProjectionType());
    assertEquals("INCLUDE", gsis.get("include-idx").getProjection().getProjectionType());
    assertEquals(List.of("a", "b"), gsis.get("include-idx").getProjection().getNonKeyAttributes());
    assertEquals("ALL", gsis.get("all-idx").getProjection().getProjectionType());
    assertEquals(List.of(new KeySchemaElement("g", KeyType.HASH), new KeySchemaElement("seq", KeyType.RANGE)),
        gsis.get("all-idx").getKeySchema());
    assertEquals("ACTIVE", gsis.get("all-idx").getIndexStatus());
  }

  private static GlobalSecondaryIndex gsi(String name, Projection projection) {
    return new GlobalSecondaryIndex().withIndexName(name)
        .withKeySchema(new KeySchemaElement("g", KeyType.HASH), new KeySchemaElement("seq", KeyType.RANGE))
        .withProjection(projection);
  }

  @ConformanceTest
  void refusesAKeyWithoutAnAttributeDefinition(Sandbox box) {
    validation(() -> box.db.createTable(new CreateTableRequest().withTableName(Sandbox.freshName())
        .withBillingMode("PAY_PER_REQUEST")
        .withAttributeDefinitions(new AttributeDefinition("h", ScalarAttributeType.S))
        .withKeySchema(new KeySchemaElement("h", KeyType.HASH), new KeySchemaElement("r", KeyType.RANGE))));
  }

  @ConformanceTest
  void refusesIndexesAndDefinitionsThatDoNotFitTheKeys(Sandbox box) {
    // An LSI needs a table with a sort key; every attribute definition must be used by a key.
    validation(() -> box.db.createTable(new CreateTableRequest().withTableName(Sandbox.freshName())
        .withBillingMode("PAY_PER_REQUEST")
        .withAttributeDefinitions(new AttributeDefinition("h", ScalarAttributeType.S), new AttributeDefinition("x", ScalarAttributeType.S))
        .withKeySchema(new KeySchemaElement("h", KeyType.HASH))
        .withLocalSecondaryIndexes(new LocalSecondaryIndex().withIndexName("x-idx")
            .withKeySchema(new KeySchemaElement("h", KeyType.HASH), new KeySchemaElement("x", KeyType.RANGE))
            .withProjection(new Projection().withProjectionType(ProjectionType.ALL)))));
    validation(() -> box.db.createTable(new CreateTableRequest().withTableName(Sandbox.freshName())
        .withBillingMode("PAY_PER_REQUEST")
        .withAttributeDefinitions(new AttributeDefinition("h", ScalarAttributeType.S), new AttributeDefinition("unused", ScalarAttributeType.S))
        .withKeySchema(new KeySchemaElement("h", KeyType.HASH))));
  }

  /**
   * API reference, CreateTable, ProvisionedThroughput: "If you set BillingMode as PAY_PER_REQUEST, you
   * cannot specify this property"; the same holds for a global secondary index's.
   */
  @ConformanceTest
  void refusesThroughputForAPayPerRequestTable(Sandbox box) {
    String table = Sandbox.freshName();
    validation(() -> box.db.createTable(new CreateTableRequest().withTableName(table)
        .withBillingMode("PAY_PER_REQUEST").withProvisionedThroughput(new ProvisionedThroughput(1L, 1L))
        .withAttributeDefinitions(new AttributeDefinition("h", ScalarAttributeType.S))
        .withKeySchema(new KeySchemaElement("h", KeyType.HASH))));
    validation(() -> box.db.createTable(new CreateTableRequest().withTableName(table)
        .withBillingMode("PAY_PER_REQUEST")
        .withAttributeDefinitions(new AttributeDefinition("h", ScalarAttributeType.S), new AttributeDefinition("g", ScalarAttributeType.S))
        .withKeySchema(new KeySchemaElement("h", KeyType.HASH))
        .withGlobalSecondaryIndexes(new GlobalSecondaryIndex().withIndexName("by-g")
            .withKeySchema(new KeySchemaElement("g", KeyType.HASH)).withProjection(new Projection().withProjectionType(ProjectionType.ALL))
            .withProvisionedThroughput(new ProvisionedThroughput(1L, 1L)))));
    assertThrows(ResourceNotFoundException.class, () -> box.db.describeTable(table));
  }

  /**
   * API reference, Projection, NonKeyAttributes: 1 to 20 names of 1 to 255 characters per index,
   * and "the total count of NonKeyAttributes summed across all of the secondary indexes, must not
   * exceed 100"; INCLUDE projects "other non-key attributes that you specify".
   */
  @ConformanceTest
  void projectsAtMostTwentyNamedAttributesAnIndexAndAHundredInAll(Sandbox box) {
    CreateTableRequest hundredAndTwo = includes(6, 17);
    CreateTableRequest twentyOne = includes(1, 21);
    List<CreateTableRequest> badNames = new ArrayList<>();
    for (String name : List.of("", "n".repeat(256))) {
      CreateTableRequest request = includes(1, 1);
      request.getGlobalSecondaryIndexes().get(0).getProjection().setNonKeyAttributes(List.of(name));
      badNames.add(request);
    }
    box.documented(Departure.PROJECTED_ATTRIBUTES_PAST_THE_LIMITS_ACCEPTED,
        () -> {
          validation(() -> box.db.createTable(hundredAndTwo), () -> "102 in all");
          validation(() -> box.db.createTable(twentyOne), () -> "21 in one index");
          for (CreateTableRequest request : badNames) {
            validation(() -> box.db.createTable(request), () -> "a name of " + request.getGlobalSecondaryIndexes()
                .get(0).getProjection().getNonKeyAttributes().get(0).length() + " characters");
          }
        },
        () -> {
          box.create(hundredAndTwo);
          box.create(twentyOne);
          badNames.forEach(box::create);
        });
    validation(() -> box.db.createTable(includes(1, 0)), () -> "INCLUDE of none");
    box.create(includes(5, 20));
  }

  /** A table of a fresh name with {@code indexes} global indexes, each projecting {@code names} attributes. */
  private static CreateTableRequest includes(int indexes, int names) {
    List<GlobalSecondaryIndex> globals = new ArrayList<>();
    for (int i = 0; i < indexes; i++) {
      List<String> projected = new ArrayList<>();
      for (int n = 0; n < names; n++) {
        projected.add("a" + n);
      }
      globals.add(new GlobalSecondaryIndex().withIndexName("index" + i).withKeySchema(new KeySchemaElement("g", KeyType.HASH))
          .withProjection(new Projection().withProjectionType(ProjectionType.INCLUDE).withNonKeyAttributes(projected)));
    }
    return new CreateTableRequest().withTableName(Sandbox.freshName()).withBillingMode("PAY_PER_REQUEST")
        .withAttributeDefinitions(new AttributeDefinition("h", ScalarAttributeType.S), new AttributeDefinition("g", ScalarAttributeType.S))
        .withKeySchema(new KeySchemaElement("h", KeyType.HASH)).withGlobalSecondaryIndexes(globals);
  }

  @ConformanceTest
  void refusesATableThatExists(Sandbox box) {
    String table = box.table("h", ScalarAttributeType.S);
    refused("ResourceInUseException", () -> box.db.createTable(new CreateTableRequest().withTableName(table)
        .withBillingMode("PAY_PER_REQUEST")
        .withAttributeDefinitions(new AttributeDefinition("h", ScalarAttributeType.S))
        .withKeySchema(new KeySchemaElement("h", KeyType.HASH))));
  }

  @ConformanceTest
  void listsTablesInNameOrderPageByPage(Sandbox box) {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(box.table("h", ScalarAttributeType.S));
    }
    List<String> listed = new ArrayList<>();
    String start = null;
    do {
      ListTablesResult page = box.db.listTables(new ListTablesRequest().withLimit(2).withExclusiveStartTableName(start));
      assertTrue(page.getTableNames().size() <= 2);
      listed.addAll(page.getTableNames());
      start = page.getLastEvaluatedTableName();
    } while (start != null);
    assertEquals(listed.stream().sorted().toList(), listed, "ListTables names tables in order");
    assertEquals(listed.stream().distinct().toList(), listed, "each table once");
    assertTrue(listed.containsAll(created));
  }

  @ConformanceTest
  void deletedTableIsGoneForEveryOperation(Sandbox box) {
    String table = box.table("h", ScalarAttributeType.S);
    box.put(table, item("h", s("a")));
    TableDescription deleted = box.db.deleteTable(table).getTableDescription();
    assertEquals(table, deleted.getTableName());
    box.eventually(() -> assertThrows(ResourceNotFoundException.class, () -> box.db.describeTable(table)));
    assertThrows(ResourceNotFoundException.class, () -> box.db.getItem(new GetItemRequest(table, item("h", s("a")))));
    assertThrows(ResourceNotFoundException.class, () -> box.db.putItem(table, item("h", s("a"))));
    assertThrows(ResourceNotFoundException.class, () -> box.db.deleteTable(table));
    assertFalse(box.db.listTables().getTableNames().contains(table));
  }

  @ConformanceTest
  void missingTableIsAResourceNotFoundException(Sandbox box) {
    String missing = Sandbox.freshName();
    assertThrows(ResourceNotFoundException.class, () -> box.db.describeTable(missing));
    assertThrows(ResourceNotFoundException.class, () -> box.db.getItem(new GetItemRequest(missing, item("h", s("a")))));
    assertThrows(ResourceNotFoundException.class, () -> box.db.describeTimeToLive(
        new com.amazonaws.services.dynamodbv2.model.DescribeTimeToLiveRequest().withTableName(missing)));
  }

  @ConformanceTest
  void timeToLiveIsEnabledOnOneAttributeAndDescribed(Sandbox box) {
    String table = box.table("h", ScalarAttributeType.S);
    assertEquals("DISABLED", ttl(box, table).getTimeToLiveDescription().getTimeToLiveStatus());

    TimeToLiveSpecification enable = new TimeToLiveSpecification().withAttributeName("expires").withEnabled(true);
    assertEquals(enable, box.db.updateTimeToLive(new UpdateTimeToLiveRequest().withTableName(table)
        .withTimeToLiveSpecification(enable)).getTimeToLiveSpecification());
    box.eventually(() -> {
      var description = ttl(box, table).getTimeToLiveDescription();
      assertEquals("ENABLED", description.getTimeToLiveStatus());
      assertEquals("expires", description.getAttributeName());
    });
    UpdateTimeToLiveRequest again = new UpdateTimeToLiveRequest().withTableName(table).withTimeToLiveSpecification(enable);
    box.documented(Departure.REPEATED_TIME_TO_LIVE_UPDATE_ACCEPTED,
        () -> validation(() -> box.db.updateTimeToLive(again)),
        () -> box.db.updateTimeToLive(again));
  }

  private static DescribeTimeToLiveResult ttl(Sandbox box, String table) {
    return box.db.describeTimeToLive(
        new com.amazonaws.services.dynamodbv2.model.DescribeTimeToLiveRequest().withTableName(table));
  }
}
