package io.parley.store.model;

import java.util.List;

/** What CreateTable declares: key schema, attribute definitions and secondary indexes. */
public record TableSchema(
    String tableName,
    List<KeyElement> keySchema,
    List<AttributeDefinition> attributeDefinitions,
    List<SecondaryIndex> localIndexes,
    List<SecondaryIndex> globalIndexes) {

  public TableSchema {
    keySchema = keySchema == null ? List.of() : List.copyOf(keySchema);
    attributeDefinitions = attributeDefinitions == null ? List.of() : List.copyOf(attributeDefinitions);
    localIndexes = localIndexes == null ? List.of() : List.copyOf(localIndexes);
    globalIndexes = globalIndexes == null ? List.of() : List.copyOf(globalIndexes);
  }

  /**
   * UpdateTable's change to the secondary indexes: global indexes to create ({@code
   * attributeDefinitions} declares their key attributes) and global indexes to delete, by name.
   */
  public record IndexChanges(List<AttributeDefinition> attributeDefinitions, List<SecondaryIndex> createGlobal,
      List<String> deleteGlobal) {
    public IndexChanges {
      attributeDefinitions = attributeDefinitions == null ? List.of() : List.copyOf(attributeDefinitions);
      createGlobal = createGlobal == null ? List.of() : List.copyOf(createGlobal);
      deleteGlobal = deleteGlobal == null ? List.of() : List.copyOf(deleteGlobal);
    }
  }

  /**
   * Refuses throughput given for a table, or a global index, billed PAY_PER_REQUEST (API reference,
   * CreateTable, ProvisionedThroughput). The store bills nothing either way.
   */
  public static void checkBilling(String billingMode, boolean throughputGiven) {
    if ("PAY_PER_REQUEST".equals(billingMode) && throughputGiven) {
      throw StoreException.validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor"
          + " WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    }
  }

  /** {@code keyType} is HASH or RANGE. */
  public record KeyElement(String attributeName, String keyType) {}

  /** {@code attributeType} is S, N or B. */
  public record AttributeDefinition(String attributeName, String attributeType) {}

  /** {@code projectionType} is KEYS_ONLY, INCLUDE or ALL. */
  public record SecondaryIndex(String indexName, List<KeyElement> keySchema, String projectionType,
      List<String> nonKeyAttributes) {
    public SecondaryIndex {
      keySchema = keySchema == null ? List.of() : List.copyOf(keySchema);
      nonKeyAttributes = nonKeyAttributes == null ? List.of() : List.copyOf(nonKeyAttributes);
    }
  }
}
