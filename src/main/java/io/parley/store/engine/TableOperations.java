package io.parley.store.engine;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.StoreException;
import io.parley.store.model.TableInfo;
import io.parley.store.model.TableSchema;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Map;

/** CreateTable, DescribeTable, DeleteTable, UpdateTable and the TTL settings. */
final class TableOperations {
  private final Catalog catalog;
  private final GroupCommit writer;
  private final TableStats stats;

  TableOperations(Catalog catalog, GroupCommit writer, TableStats stats) {
    this.catalog = catalog;
    this.writer = writer;
    this.stats = stats;
  }

  TableInfo create(TableSchema schema) {
    SchemaLimits.check(schema);
    Table validated = catalog.validate(schema);
    Table created = writer.submit((sql, afterCommit) -> catalog.insert(sql, validated, afterCommit));
    return info(created, 0, 0);
  }

  TableInfo describe(String name) {
    Table table = catalog.table(name);
    TableStats.Counted counted = stats.of(table);
    return info(table, counted.items(), counted.bytes());
  }

  TableInfo delete(String name) {
    Table table = catalog.table(name);
    TableInfo before = describe(name);
    writer.submit((sql, afterCommit) -> {
      catalog.delete(sql, table, afterCommit);
      afterCommit.add(() -> stats.forget(table));
      return null;
    });
    return before;
  }

  /**
   * UpdateTable's index changes: one global index created or deleted. The index is ACTIVE at once:
   * the writer rebuilds the table's index entries from its items in the same transaction.
   */
  TableInfo update(String name, TableSchema.IndexChanges changes) {
    Table table = catalog.table(name);
    int count = changes.createGlobal().size() + changes.deleteGlobal().size();
    if (count > 1) {
      throw StoreException.validation("One or more parameter values were invalid: Only 1 online index can be created or deleted simultaneously per table");
    }
    TableSchema schema = table.schema();
    List<TableSchema.SecondaryIndex> globals = new java.util.ArrayList<>(schema.globalIndexes());
    for (String deleted : changes.deleteGlobal()) {
      if (!globals.removeIf(index -> index.indexName().equals(deleted))) {
        throw StoreException.notFound("Requested resource not found: Index: " + deleted + " not found for table " + name);
      }
    }
    globals.addAll(changes.createGlobal());
    java.util.Map<String, TableSchema.AttributeDefinition> definitions = new java.util.LinkedHashMap<>();
    schema.attributeDefinitions().forEach(definition -> definitions.put(definition.attributeName(), definition));
    changes.attributeDefinitions().forEach(definition -> definitions.putIfAbsent(definition.attributeName(), definition));
    java.util.Set<String> keyNames = new java.util.HashSet<>();
    schema.keySchema().forEach(element -> keyNames.add(element.attributeName()));
    schema.localIndexes().forEach(index -> index.keySchema().forEach(element -> keyNames.add(element.attributeName())));
    globals.forEach(index -> index.keySchema().forEach(element -> keyNames.add(element.attributeName())));
    definitions.keySet().retainAll(keyNames);
    TableSchema changedSchema = new TableSchema(schema.tableName(), schema.keySchema(),
        List.copyOf(definitions.values()), schema.localIndexes(), globals);
    SchemaLimits.check(new TableSchema(schema.tableName(), List.of(), changes.attributeDefinitions(), schema.localIndexes(),
        globals));
    Table validated = catalog.validate(changedSchema);
    Table changed = new Table(table.id(), changedSchema, validated.key(), validated.indexes(), table.ttlAttribute(),
        table.createdMillis());
    if (count > 0) {
      writer.submit((sql, afterCommit) -> {
        catalog.update(sql, changed, afterCommit);
        rebuildIndexes(sql, changed);
        return null;
      });
    }
    return info(changed, 0, 0);
  }

  /** Writes {@code table}'s index entries anew from its items (index numbers follow the schema's order). */
  private static void rebuildIndexes(Sql sql, Table table) throws SQLException {
    PreparedStatement clear = sql.prepare("DELETE FROM entries WHERE t = ?");
    clear.setLong(1, table.id());
    sql.update(clear);
    PreparedStatement select = sql.prepare("SELECT h, r, item FROM items WHERE t = ?");
    select.setLong(1, table.id());
    List<Object[]> rows = new java.util.ArrayList<>();
    try (ResultSet found = select.executeQuery()) {
      while (found.next()) {
        rows.add(new Object[] {found.getBytes(1), found.getBytes(2), found.getBytes(3)});
      }
    }
    for (Object[] row : rows) {
      Table.RowKey key = new Table.RowKey((byte[]) row[0], (byte[]) row[1]);
      Map<String, AttributeValue> item = table.decode(key.hash(), key.range(), (byte[]) row[2]);
      Rows.addEntries(sql, table, key, item);
    }
  }

  /** Enables ({@code attribute} non-null) or disables TTL, as UpdateTimeToLive does. */
  void updateTimeToLive(String name, String attribute, boolean enabled) {
    Table table = catalog.table(name);
    if (attribute == null || attribute.isEmpty()) {
      throw StoreException.validation("1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null");
    }
    if (enabled && table.ttlAttribute() != null) {
      throw StoreException.validation("TimeToLive is already enabled");
    }
    if (!enabled && table.ttlAttribute() == null) {
      throw StoreException.validation("TimeToLive is already disabled");
    }
    if (!enabled && !attribute.equals(table.ttlAttribute())) {
      throw StoreException.validation("TimeToLive attribute name mismatch: " + attribute);
    }
    Table changed = table.withTtl(enabled ? attribute : null);
    writer.submit((sql, afterCommit) -> {
      catalog.update(sql, changed, afterCommit);
      recomputeExpiry(sql, changed);
      return null;
    });
  }

  private static void recomputeExpiry(Sql sql, Table table) throws SQLException {
    PreparedStatement select = sql.prepare("SELECT h, r, item FROM items WHERE t = ?");
    select.setLong(1, table.id());
    PreparedStatement update = sql.prepare("UPDATE items SET expires = ? WHERE t = ? AND h = ? AND r = ?");
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        Long expires = table.expiry(table.decode(rows.getBytes(1), rows.getBytes(2), rows.getBytes(3)));
        if (expires == null) {
          update.setNull(1, Types.INTEGER);
        } else {
          update.setLong(1, expires);
        }
        update.setLong(2, table.id());
        update.setBytes(3, rows.getBytes(1));
        update.setBytes(4, rows.getBytes(2));
        sql.update(update);
      }
    }
  }

  TableInfo describeTimeToLive(String name) {
    return info(catalog.table(name), 0, 0);
  }

  static TableInfo info(Table table, long items, long bytes) {
    return new TableInfo(table.schema(), table.createdMillis(), items, bytes, table.ttlAttribute(),
        table.ttlAttribute() != null);
  }
}
