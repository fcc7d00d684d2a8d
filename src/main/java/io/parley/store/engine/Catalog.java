package io.parley.store.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.store.model.StoreException;
import io.parley.store.model.TableSchema;
import io.parley.store.model.TableSchema.AttributeDefinition;
import io.parley.store.model.TableSchema.KeyElement;
import io.parley.store.model.TableSchema.SecondaryIndex;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The tables: their schemas in the {@code tables} rows, and in memory for every request. The
 * memory copy changes only after the writer has committed the change.
 */
final class Catalog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,255}");
  private static final Set<String> KEY_TYPES = Set.of("S", "N", "B");

  /** What the tables row keeps beside the schema. */
  record Stored(TableSchema schema, String ttlAttribute, long createdMillis) {}

  private final Map<String, Table> tables = new ConcurrentHashMap<>();

  Catalog(Sql sql) throws SQLException {
    try (ResultSet rows = sql.prepare("SELECT id, definition FROM tables").executeQuery()) {
      while (rows.next()) {
        Stored stored = read(rows.getString(2));
        Table table = build(rows.getLong(1), stored.schema(), stored.ttlAttribute(), stored.createdMillis());
        tables.put(table.name(), table);
      }
    }
  }

  Table table(String name) {
    if (name == null) {
      throw StoreException.validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null");
    }
    Table table = tables.get(name);
    if (table == null) {
      checkName("TableName", name);
      throw StoreException.notFound("Requested resource not found: Table: " + name + " not found");
    }
    return table;
  }

  boolean exists(Table table) {
    Table current = tables.get(table.name());
    return current != null && current.id() == table.id();
  }

  Table byId(long id) {
    for (Table table : tables.values()) {
      if (table.id() == id) {
        return table;
      }
    }
    return null;
  }

  List<String> names() {
    return tables.keySet().stream().sorted().toList();
  }

  /** Checks a CreateTable as DynamoDB does and builds its table (id to be assigned). */
  Table validate(TableSchema schema) {
    checkName("TableName", schema.tableName());
    Map<String, String> types = new HashMap<>();
    for (AttributeDefinition definition : schema.attributeDefinitions()) {
      if (!KEY_TYPES.contains(definition.attributeType())) {
        throw StoreException.validation("1 validation error detected: Value '" + definition.attributeType()
            + "' at 'attributeDefinitions.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]");
      }
      if (types.put(definition.attributeName(), definition.attributeType()) != null) {
        throw StoreException.validation("Cannot have two attributes with the same name");
      }
    }
    Set<String> used = new HashSet<>();
    Table.KeyDef key = keyDef(schema.keySchema(), types, used, "table");
    if (schema.localIndexes().size() > 5) {
      throw StoreException.validation("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5");
    }
    if (schema.globalIndexes().size() > 20) {
      throw StoreException.validation("One or more parameter values were invalid: Number of GlobalSecondaryIndexes exceeds per-table limit of 20");
    }
    List<Table.Index> indexes = new ArrayList<>();
    Set<String> indexNames = new HashSet<>();
    int id = 1;
    for (SecondaryIndex local : schema.localIndexes()) {
      Table.Index index = index(id++, local, false, types, used, indexNames);
      if (!key.hasRange()) {
        throw StoreException.validation("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
      }
      if (!index.key().hashName().equals(key.hashName()) || !index.key().hasRange()) {
        throw StoreException.validation("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: "
            + index.name() + ". index hash key: " + index.key().hashName() + ", table hash key: " + key.hashName());
      }
      indexes.add(index);
    }
    for (SecondaryIndex global : schema.globalIndexes()) {
      indexes.add(index(id++, global, true, types, used, indexNames));
    }
    if (!used.containsAll(types.keySet())) {
      throw StoreException.validation("One or more parameter values were invalid: Some AttributeDefinitions are not used."
          + " AttributeDefinitions: " + types.keySet() + ", keys used: " + used);
    }
    return new Table(0, schema, key, indexes, null, System.currentTimeMillis());
  }

  private static Table.KeyDef keyDef(List<KeyElement> elements, Map<String, String> types, Set<String> used, String what) {
    if (elements.isEmpty() || elements.size() > 2 || !"HASH".equals(elements.get(0).keyType())
        || (elements.size() == 2 && !"RANGE".equals(elements.get(1).keyType()))) {
      throw StoreException.validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
          + " or the second is not a RANGE key type (" + what + ")");
    }
    String hash = elements.get(0).attributeName();
    String range = elements.size() == 2 ? elements.get(1).attributeName() : null;
    if (hash.equals(range)) {
      throw StoreException.validation("Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
    for (String name : range == null ? List.of(hash) : List.of(hash, range)) {
      if (!types.containsKey(name)) {
        throw StoreException.validation("One or more parameter values were invalid: Some index key attributes are not defined in"
            + " AttributeDefinitions. Keys: [" + name + "], AttributeDefinitions: " + types.keySet());
      }
      used.add(name);
    }
    return new Table.KeyDef(hash, types.get(hash), range, range == null ? null : types.get(range));
  }

  private static Table.Index index(int id, SecondaryIndex declared, boolean global, Map<String, String> types,
      Set<String> used, Set<String> names) {
    checkName("IndexName", declared.indexName());
    if (!names.add(declared.indexName())) {
      throw StoreException.validation("One or more parameter values were invalid: Duplicate index name: " + declared.indexName());
    }
    Table.KeyDef key = keyDef(declared.keySchema(), types, used, "index " + declared.indexName());
    String projection = declared.projectionType() == null ? "" : declared.projectionType();
    if (!Set.of("ALL", "KEYS_ONLY", "INCLUDE").contains(projection)) {
      throw StoreException.validation("One or more parameter values were invalid: Unknown ProjectionType: " + projection);
    }
    if (!projection.equals("INCLUDE") && !declared.nonKeyAttributes().isEmpty()) {
      throw StoreException.validation("One or more parameter values were invalid: ProjectionType is " + projection
          + ", but NonKeyAttributes is specified");
    }
    return new Table.Index(id, declared.indexName(), global, key, projection,
        Set.copyOf(new LinkedHashSet<>(declared.nonKeyAttributes())));
  }

  private static void checkName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw StoreException.validation("1 validation error detected: Value '" + name + "' at '" + what
          + "' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
          + " and length between 3 and 255");
    }
  }

  /** Inserts {@code table}'s row, returning it with its id; it becomes visible after the commit. */
  Table insert(Sql sql, Table validated, List<Runnable> afterCommit) throws SQLException {
    if (tables.containsKey(validated.name())) {
      throw StoreException.inUse("Table already exists: " + validated.name());
    }
    long id;
    try (ResultSet row = sql.prepare("SELECT COALESCE(MAX(id), 0) + 1 FROM tables").executeQuery()) {
      row.next();
      id = row.getLong(1);
    }
    Table table = build(id, validated.schema(), null, validated.createdMillis());
    var insert = sql.prepare("INSERT INTO tables(name, id, definition) VALUES (?, ?, ?)");
    insert.setString(1, table.name());
    insert.setLong(2, id);
    insert.setString(3, write(table));
    sql.update(insert);
    afterCommit.add(() -> tables.put(table.name(), table));
    return table;
  }

  void delete(Sql sql, Table table, List<Runnable> afterCommit) throws SQLException {
    for (String statement : List.of("DELETE FROM tables WHERE id = ?", "DELETE FROM items WHERE t = ?",
        "DELETE FROM entries WHERE t = ?")) {
      var delete = sql.prepare(statement);
      delete.setLong(1, table.id());
      sql.update(delete);
    }
    afterCommit.add(() -> tables.remove(table.name(), table));
  }

  void update(Sql sql, Table changed, List<Runnable> afterCommit) throws SQLException {
    var update = sql.prepare("UPDATE tables SET definition = ? WHERE id = ?");
    update.setString(1, write(changed));
    update.setLong(2, changed.id());
    sql.update(update);
    afterCommit.add(() -> tables.put(changed.name(), changed));
  }

  private Table build(long id, TableSchema schema, String ttlAttribute, long createdMillis) {
    Table validated = validate(schema);
    return new Table(id, schema, validated.key(), validated.indexes(), ttlAttribute, createdMillis);
  }

  private static String write(Table table) {
    try {
      return JSON.writeValueAsString(new Stored(table.schema(), table.ttlAttribute(), table.createdMillis()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private static Stored read(String json) {
    try {
      return JSON.readValue(json, Stored.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException unreadable) {
      throw new IllegalStateException("A table's stored definition is unreadable: " + json, unreadable);
    }
  }
}
