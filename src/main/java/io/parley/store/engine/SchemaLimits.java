package io.parley.store.engine;

import io.parley.store.model.StoreException;
import io.parley.store.model.TableSchema;
import io.parley.store.model.TableSchema.SecondaryIndex;
import java.util.ArrayList;
import java.util.List;

/**
 * Limits of the API reference a CreateTable or UpdateTable must keep beyond the schema's own
 * consistency ({@link Catalog#validate}). Checked on requests only, so that a table stored under
 * looser checks still opens.
 */
final class SchemaLimits {
  private SchemaLimits() {}

  /** NonKeyAttributes summed across all of a table's indexes (API reference, Projection). */
  private static final int PROJECTED_IN_ALL = 100;

  /** NonKeyAttributes of one index (API reference, Projection: "Maximum number of 20 items"). */
  private static final int PROJECTED_IN_ONE = 20;

  static void check(TableSchema schema) {
    schema.keySchema().forEach(element -> checkName("keySchema", element.attributeName()));
    schema.attributeDefinitions().forEach(definition -> checkName("attributeDefinitions", definition.attributeName()));
    List<SecondaryIndex> indexes = new ArrayList<>(schema.localIndexes());
    indexes.addAll(schema.globalIndexes());
    int projected = 0;
    for (SecondaryIndex index : indexes) {
      index.keySchema().forEach(element -> checkName("keySchema", element.attributeName()));
      if ("INCLUDE".equals(index.projectionType()) && index.nonKeyAttributes().isEmpty()) {
        throw StoreException.validation("One or more parameter values were invalid: ProjectionType is INCLUDE, but"
            + " NonKeyAttributes is not specified");
      }
      if (index.nonKeyAttributes().size() > PROJECTED_IN_ONE) {
        throw StoreException.validation("1 validation error detected: Value '" + index.nonKeyAttributes()
            + "' at 'projection.nonKeyAttributes' failed to satisfy constraint: Member must have length less than or"
            + " equal to " + PROJECTED_IN_ONE);
      }
      index.nonKeyAttributes().forEach(name -> checkName("projection.nonKeyAttributes", name));
      projected += index.nonKeyAttributes().size();
    }
    if (projected > PROJECTED_IN_ALL) {
      throw StoreException.validation("One or more parameter values were invalid: Number of projected attributes in"
          + " all indexes exceeds limit of " + PROJECTED_IN_ALL + ", number of projected attributes: " + projected);
    }
  }

  /** Key and projected attribute names are 1 to 255 characters (API reference, KeySchemaElement, Projection). */
  private static void checkName(String where, String name) {
    if (name == null || name.isEmpty() || name.length() > 255) {
      throw StoreException.validation("1 validation error detected: Value '" + name + "' at '" + where
          + ".member.attributeName' failed to satisfy constraint: Member must have length between 1 and 255");
    }
  }
}
