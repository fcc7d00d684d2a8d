package io.parley.store.engine;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.Requests;
import io.parley.store.model.Responses.BatchGetResult;
import io.parley.store.model.Responses.Page;
import io.parley.store.model.StoreException;
import io.parley.store.model.TableInfo;
import io.parley.store.model.TableSchema;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The store's operations on its own model; the doors translate to and from it. */
public final class StoreEngine implements AutoCloseable {
  /** The name of the database file inside the store's directory. */
  public static final String DATABASE_FILE = Database.FILE_NAME;

  private final Database database;
  private final GroupCommit writer;
  private final Catalog catalog;
  private final ItemWrites writes;
  private final ItemReads reads;
  private final Batches batches;
  private final Pages pages;
  private final TtlSweeper sweeper;
  private final TableStats stats;

  private StoreEngine(Path dir, long ttlSweepMillis) throws SQLException {
    this.database = new Database(dir);
    this.catalog = new Catalog(database.writer());
    this.writer = new GroupCommit(database.writer());
    this.writes = new ItemWrites(catalog, writer);
    this.reads = new ItemReads(catalog, database);
    this.batches = new Batches(catalog, writer);
    this.pages = new Pages(catalog, database);
    this.sweeper = new TtlSweeper(catalog, writer, ttlSweepMillis);
    this.stats = new TableStats(database);
  }

  /** Opens (or creates) the store in {@code dir}; expired items are swept every {@code ttlSweepMillis}. */
  public static StoreEngine open(Path dir, long ttlSweepMillis) {
    try {
      return new StoreEngine(dir, ttlSweepMillis);
    } catch (SQLException failed) {
      throw new IllegalStateException("Cannot open the store in " + dir + ": " + failed.getMessage(), failed);
    }
  }

  public TableInfo createTable(TableSchema schema) {
    Table validated = catalog.validate(schema);
    Table created = writer.submit((sql, afterCommit) -> catalog.insert(sql, validated, afterCommit));
    return info(created, 0, 0);
  }

  /** DescribeTable; its item count and size are counted in the background (see {@link TableStats}). */
  public TableInfo describeTable(String name) {
    Table table = catalog.table(name);
    TableStats.Counted counted = stats.of(table);
    return info(table, counted.items(), counted.bytes());
  }

  public TableInfo deleteTable(String name) {
    Table table = catalog.table(name);
    TableInfo before = describeTable(name);
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
  public TableInfo updateTable(String name, TableSchema.IndexChanges changes) {
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

  public List<String> listTables() {
    return catalog.names();
  }

  /** Enables ({@code attribute} non-null) or disables TTL, as UpdateTimeToLive does. */
  public void updateTimeToLive(String name, String attribute, boolean enabled) {
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

  public TableInfo describeTimeToLive(String name) {
    return info(catalog.table(name), 0, 0);
  }

  public Map<String, AttributeValue> putItem(Requests.PutItem request) {
    return GroupCommit.await(writes.put(request));
  }

  /**
   * PutItem without waiting: the request is checked on this thread (a refusal is thrown), the
   * answer completes on the writer's thread after the commit.
   */
  public CompletableFuture<Map<String, AttributeValue>> putItemAsync(Requests.PutItem request) {
    return writes.put(request);
  }

  public Map<String, AttributeValue> getItem(Requests.GetItem request) {
    return reads.get(request);
  }

  public Map<String, AttributeValue> deleteItem(Requests.DeleteItem request) {
    return GroupCommit.await(writes.delete(request));
  }

  public CompletableFuture<Map<String, AttributeValue>> deleteItemAsync(Requests.DeleteItem request) {
    return writes.delete(request);
  }

  public Map<String, AttributeValue> updateItem(Requests.UpdateItem request) {
    return GroupCommit.await(writes.update(request));
  }

  public CompletableFuture<Map<String, AttributeValue>> updateItemAsync(Requests.UpdateItem request) {
    return writes.update(request);
  }

  public Page query(Requests.Query request) {
    return pages.query(request);
  }

  public Page scan(Requests.Scan request) {
    return pages.scan(request);
  }

  public BatchGetResult batchGetItem(Requests.BatchGetItem request) {
    return reads.batchGet(request);
  }

  public void batchWriteItem(Requests.BatchWriteItem request) {
    GroupCommit.await(batches.batchWrite(request));
  }

  public CompletableFuture<Void> batchWriteItemAsync(Requests.BatchWriteItem request) {
    return batches.batchWrite(request);
  }

  public void transactWriteItems(Requests.TransactWriteItems request) {
    GroupCommit.await(batches.transactWrite(request));
  }

  public CompletableFuture<Void> transactWriteItemsAsync(Requests.TransactWriteItems request) {
    return batches.transactWrite(request);
  }

  /** Deletes expired items now rather than at the next sweep; returns how many. */
  public int sweepExpired() {
    return sweeper.sweep();
  }

  /** How many transactions the writer has committed (each one sync), for tests and measurements. */
  public long commits() {
    return writer.commits();
  }

  public void backupTo(Path target) {
    database.backupTo(target.toAbsolutePath());
  }

  private static TableInfo info(Table table, long items, long bytes) {
    return new TableInfo(table.schema(), table.createdMillis(), items, bytes, table.ttlAttribute(),
        table.ttlAttribute() != null);
  }

  @Override
  public void close() {
    sweeper.close();
    try {
      stats.close();
      writer.close();
      database.close();
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    } catch (SQLException failed) {
      throw new IllegalStateException("Closing the store failed: " + failed.getMessage(), failed);
    }
  }
}
