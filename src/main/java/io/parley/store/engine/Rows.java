package io.parley.store.engine;

import io.parley.store.model.AttributeValue;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Map;

/** Reading and writing one item's row, keeping its secondary index entries in step. */
final class Rows {
  private Rows() {}

  /** The item stored under {@code key}, or null. */
  static Map<String, AttributeValue> get(Sql sql, Table table, Table.RowKey key) throws SQLException {
    PreparedStatement select = sql.prepare("SELECT item FROM items WHERE t = ? AND h = ? AND r = ?");
    select.setLong(1, table.id());
    select.setBytes(2, key.hash());
    select.setBytes(3, key.range());
    try (ResultSet row = select.executeQuery()) {
      return row.next() ? table.decode(key.hash(), key.range(), row.getBytes(1)) : null;
    }
  }

  /** Stores {@code item} under {@code key}, replacing {@code old} (null if there was none). */
  static void put(Sql sql, Table table, Table.RowKey key, Map<String, AttributeValue> item,
      Map<String, AttributeValue> old) throws SQLException {
    PreparedStatement upsert = sql.prepare("INSERT OR REPLACE INTO items(t, h, r, item, expires) VALUES (?, ?, ?, ?, ?)");
    upsert.setLong(1, table.id());
    upsert.setBytes(2, key.hash());
    upsert.setBytes(3, key.range());
    upsert.setBytes(4, table.encode(item));
    Long expires = table.expiry(item);
    if (expires == null) {
      upsert.setNull(5, Types.INTEGER);
    } else {
      upsert.setLong(5, expires);
    }
    sql.update(upsert);
    if (!table.indexes().isEmpty()) {
      if (old != null) {
        removeEntries(sql, table, key, old);
      }
      addEntries(sql, table, key, item);
    }
  }

  static void delete(Sql sql, Table table, Table.RowKey key, Map<String, AttributeValue> old) throws SQLException {
    PreparedStatement delete = sql.prepare("DELETE FROM items WHERE t = ? AND h = ? AND r = ?");
    delete.setLong(1, table.id());
    delete.setBytes(2, key.hash());
    delete.setBytes(3, key.range());
    sql.update(delete);
    if (old != null && !table.indexes().isEmpty()) {
      removeEntries(sql, table, key, old);
    }
  }

  /** Checks that {@code item} can be indexed (index key types), before anything is written. */
  static void checkIndexable(Table table, Map<String, AttributeValue> item) {
    for (Table.Index index : table.indexes()) {
      table.indexKey(index, item);
    }
  }

  static void addEntries(Sql sql, Table table, Table.RowKey key, Map<String, AttributeValue> item)
      throws SQLException {
    for (Table.Index index : table.indexes()) {
      Table.RowKey entry = table.indexKey(index, item);
      if (entry != null) {
        PreparedStatement insert = sql.prepare("INSERT OR REPLACE INTO entries(t, i, h, r, th, tr) VALUES (?, ?, ?, ?, ?, ?)");
        bind(insert, table, index, entry, key);
        sql.update(insert);
      }
    }
  }

  private static void removeEntries(Sql sql, Table table, Table.RowKey key, Map<String, AttributeValue> item)
      throws SQLException {
    for (Table.Index index : table.indexes()) {
      Table.RowKey entry = table.indexKey(index, item);
      if (entry != null) {
        PreparedStatement delete = sql.prepare("DELETE FROM entries WHERE t = ? AND i = ? AND h = ? AND r = ? AND th = ? AND tr = ?");
        bind(delete, table, index, entry, key);
        sql.update(delete);
      }
    }
  }

  private static void bind(PreparedStatement statement, Table table, Table.Index index, Table.RowKey entry,
      Table.RowKey key) throws SQLException {
    statement.setLong(1, table.id());
    statement.setInt(2, index.id());
    statement.setBytes(3, entry.hash());
    statement.setBytes(4, entry.range());
    statement.setBytes(5, key.hash());
    statement.setBytes(6, key.range());
  }
}
