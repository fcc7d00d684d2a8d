package io.parley.store.engine;

import io.parley.store.expr.Expressions;
import io.parley.store.model.AttributeValue;
import io.parley.store.model.Requests.BatchGetItem;
import io.parley.store.model.Requests.GetItem;
import io.parley.store.model.Requests.KeysAndAttributes;
import io.parley.store.model.Responses.BatchGetResult;
import io.parley.store.model.StoreException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** GetItem and BatchGetItem, on the calling thread, through a reader connection. */
final class ItemReads {
  private static final long BATCH_GET_LIMIT = 16L * 1024 * 1024;

  private final Catalog catalog;
  private final Database database;

  ItemReads(Catalog catalog, Database database) {
    this.catalog = catalog;
    this.database = database;
  }

  Map<String, AttributeValue> get(GetItem request) {
    Table table = catalog.table(request.table());
    Table.RowKey key = table.rowKeyOfKey(request.key());
    Projection projection = projection(request.projectionExpression(), request.attributesToGet(), request.placeholders());
    Map<String, AttributeValue> item = database.read(sql -> Rows.get(sql, table, key));
    return item == null ? null : projection.apply(item);
  }

  private static Projection projection(String expression, List<String> attributesToGet,
      io.parley.store.model.Requests.Placeholders placeholders) {
    Expressions expressions = new Expressions(placeholders);
    var paths = expressions.projection(expression);
    expressions.finish(paths != null);
    return Projection.of(paths, attributesToGet);
  }

  BatchGetResult batchGet(BatchGetItem request) {
    Map<String, KeysAndAttributes> byTable = request.requestItems();
    if (byTable == null || byTable.isEmpty()) {
      throw StoreException.validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }
    record Wanted(String tableName, Table table, Table.RowKey rowKey, Map<String, AttributeValue> key, Projection projection) {}
    List<Wanted> wanted = new ArrayList<>();
    for (Map.Entry<String, KeysAndAttributes> entry : byTable.entrySet()) {
      Table table = catalog.table(entry.getKey());
      KeysAndAttributes keys = entry.getValue();
      if (keys.keys() == null || keys.keys().isEmpty()) {
        throw StoreException.validation("1 validation error detected: Value at 'requestItems." + entry.getKey()
            + ".member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1");
      }
      Projection projection = projection(keys.projectionExpression(), keys.attributesToGet(), keys.placeholders());
      Set<ByteBuffer> seen = new HashSet<>();
      for (Map<String, AttributeValue> key : keys.keys()) {
        Table.RowKey rowKey = table.rowKeyOfKey(key);
        ByteBuffer identity = ByteBuffer.allocate(4 + rowKey.hash().length + rowKey.range().length)
            .putInt(rowKey.hash().length).put(rowKey.hash()).put(rowKey.range()).flip();
        if (!seen.add(identity)) {
          throw StoreException.validation("Provided list of item keys contains duplicates");
        }
        wanted.add(new Wanted(entry.getKey(), table, rowKey, key, projection));
      }
    }
    if (wanted.size() > 100) {
      throw StoreException.validation("Too many items requested for the BatchGetItem call");
    }
    Map<String, List<Map<String, AttributeValue>>> responses = new LinkedHashMap<>();
    Map<String, List<Map<String, AttributeValue>>> unprocessed = new LinkedHashMap<>();
    byTable.keySet().forEach(name -> responses.put(name, new ArrayList<>()));
    database.read(sql -> {
      long size = 0;
      boolean full = false;
      for (Wanted one : wanted) {
        Map<String, AttributeValue> item = full ? null : Rows.get(sql, one.table(), one.rowKey());
        long itemSize = item == null ? 0 : ItemSize.of(item);
        full |= size + itemSize > BATCH_GET_LIMIT;
        if (full) {
          // The answer stops short of the limit; this key and the rest are for the caller to ask again.
          unprocessed.computeIfAbsent(one.tableName(), name -> new ArrayList<>()).add(one.key());
        } else if (item != null) {
          size += itemSize;
          responses.get(one.tableName()).add(one.projection().apply(item));
        }
      }
      return null;
    });
    Map<String, KeysAndAttributes> unprocessedKeys = new LinkedHashMap<>();
    unprocessed.forEach((name, keys) -> {
      KeysAndAttributes original = byTable.get(name);
      unprocessedKeys.put(name, new KeysAndAttributes(keys, original.consistentRead(), original.projectionExpression(),
          original.attributesToGet(), original.placeholders()));
    });
    return new BatchGetResult(responses, unprocessedKeys);
  }
}
