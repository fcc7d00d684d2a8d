package io.parley.store.engine;

import io.parley.store.expr.Ast;
import io.parley.store.expr.Conditions;
import io.parley.store.expr.Expressions;
import io.parley.store.expr.Path;
import io.parley.store.model.AttributeValue;
import io.parley.store.model.Requests.Query;
import io.parley.store.model.Requests.Scan;
import io.parley.store.model.Requests.Select;
import io.parley.store.model.Responses.Page;
import io.parley.store.model.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Query and Scan: a page of items in key order, on the table or a secondary index. A page ends at
 * Limit items read or at 1 MB read, whichever comes first; FilterExpression then drops items from
 * it, as in DynamoDB.
 */
final class Pages {
  private static final long PAGE_BYTES = 1024 * 1024;

  private final Catalog catalog;
  private final Database database;

  Pages(Catalog catalog, Database database) {
    this.catalog = catalog;
    this.database = database;
  }

  /** What a page reads, as parsed from a Query or a Scan. */
  private record Plan(Table table, Table.Index index, Ast.Condition filter, Projection projection, Select select,
      int limit, Map<String, AttributeValue> startKey) {}

  Page query(Query request) {
    Table table = catalog.table(request.table());
    Table.Index index = request.indexName() == null ? null : table.index(request.indexName());
    Expressions expressions = new Expressions(request.placeholders());
    if (request.keyConditionExpression() == null) {
      throw StoreException.validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
    }
    Ast.Condition keyCondition = expressions.condition("KeyConditionExpression", request.keyConditionExpression());
    Plan plan = plan(table, index, expressions, true, request.filterExpression(), request.projectionExpression(),
        request.attributesToGet(), request.select(), request.limit(), request.exclusiveStartKey(), request.consistentRead());
    Table.KeyDef key = index == null ? table.key() : index.key();
    KeyCondition bounds = KeyCondition.of(keyCondition, key);
    if (plan.filter() != null) {
      for (Path path : paths(plan.filter(), new ArrayList<>())) {
        if (key.isKey(path.topName())) {
          throw StoreException.validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: " + path.topName());
        }
      }
    }
    boolean forward = request.scanIndexForward();
    StringBuilder sql = new StringBuilder();
    List<byte[]> args = new ArrayList<>();
    String order = forward ? "" : " DESC";
    if (index == null) {
      sql.append("SELECT h, r, item FROM items WHERE t = ? AND h = ?");
      args.add(bounds.hash());
      range(sql, args, "r", bounds);
      if (plan.startKey() != null) {
        Table.RowKey start = table.rowKeyOfKey(plan.startKey());
        sql.append(forward ? " AND r > ?" : " AND r < ?");
        args.add(start.range());
      }
      sql.append(" ORDER BY r").append(order);
    } else {
      sql.append("SELECT i.h, i.r, i.item FROM entries e JOIN items i ON i.t = e.t AND i.h = e.th AND i.r = e.tr"
          + " WHERE e.t = ? AND e.i = ").append(index.id()).append(" AND e.h = ?");
      args.add(bounds.hash());
      range(sql, args, "e.r", bounds);
      if (plan.startKey() != null) {
        Table.RowKey start = table.rowKeyOfItem(plan.startKey());
        Table.RowKey indexStart = indexStart(table, index, plan.startKey());
        sql.append(forward ? " AND (e.r, e.th, e.tr) > (?, ?, ?)" : " AND (e.r, e.th, e.tr) < (?, ?, ?)");
        args.add(indexStart.range());
        args.add(start.hash());
        args.add(start.range());
      }
      sql.append(" ORDER BY e.r").append(order).append(", e.th").append(order).append(", e.tr").append(order);
    }
    return read(plan, sql, args);
  }

  Page scan(Scan request) {
    Table table = catalog.table(request.table());
    Table.Index index = request.indexName() == null ? null : table.index(request.indexName());
    checkSegments(request.segment(), request.totalSegments());
    Expressions expressions = new Expressions(request.placeholders());
    Plan plan = plan(table, index, expressions, false, request.filterExpression(), request.projectionExpression(),
        request.attributesToGet(), request.select(), request.limit(), request.exclusiveStartKey(), request.consistentRead());
    StringBuilder sql = new StringBuilder();
    List<byte[]> args = new ArrayList<>();
    if (index == null) {
      sql.append("SELECT h, r, item FROM items WHERE t = ?");
      segment(sql, "h", request);
      if (plan.startKey() != null) {
        Table.RowKey start = table.rowKeyOfKey(plan.startKey());
        sql.append(" AND (h, r) > (?, ?)");
        args.add(start.hash());
        args.add(start.range());
      }
      sql.append(" ORDER BY h, r");
    } else {
      sql.append("SELECT i.h, i.r, i.item FROM entries e JOIN items i ON i.t = e.t AND i.h = e.th AND i.r = e.tr"
          + " WHERE e.t = ? AND e.i = ").append(index.id());
      segment(sql, "e.h", request);
      if (plan.startKey() != null) {
        Table.RowKey start = table.rowKeyOfItem(plan.startKey());
        Table.RowKey indexStart = indexStart(table, index, plan.startKey());
        sql.append(" AND (e.h, e.r, e.th, e.tr) > (?, ?, ?, ?)");
        args.add(indexStart.hash());
        args.add(indexStart.range());
        args.add(start.hash());
        args.add(start.range());
      }
      sql.append(" ORDER BY e.h, e.r, e.th, e.tr");
    }
    return read(plan, sql, args);
  }

  private static void checkSegments(Integer segment, Integer total) {
    if (segment != null && total == null) {
      throw StoreException.validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
    }
    if (segment == null && total != null) {
      throw StoreException.validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
    }
    if (total != null && (total < 1 || total > 1_000_000)) {
      throw StoreException.validation("1 validation error detected: Value '" + total
          + "' at 'totalSegments' failed to satisfy constraint: Member must have value between 1 and 1000000");
    }
    if (segment != null && (segment < 0 || segment >= total)) {
      throw StoreException.validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: "
          + segment + " is not less than TotalSegments: " + total);
    }
  }

  /** Keeps a parallel Scan to its segment: a hash of the hash key picks the segment, as in DynamoDB. */
  private static void segment(StringBuilder sql, String hashColumn, Scan request) {
    if (request.totalSegments() != null) {
      sql.append(" AND ").append(Database.SEGMENT_FUNCTION).append('(').append(hashColumn).append(", ")
          .append(request.totalSegments()).append(") = ").append(request.segment());
    }
  }

  private static Table.RowKey indexStart(Table table, Table.Index index, Map<String, AttributeValue> startKey) {
    Table.RowKey key = table.indexKey(index, startKey);
    if (key == null) {
      throw StoreException.validation("The provided starting key is invalid: The provided key element does not match the schema");
    }
    return key;
  }

  private static void range(StringBuilder sql, List<byte[]> args, String column, KeyCondition bounds) {
    if (bounds.lower() != null) {
      sql.append(" AND ").append(column).append(bounds.lowerInclusive() ? " >= ?" : " > ?");
      args.add(bounds.lower());
    }
    if (bounds.upper() != null) {
      sql.append(" AND ").append(column).append(bounds.upperInclusive() ? " <= ?" : " < ?");
      args.add(bounds.upper());
    }
  }

  private Plan plan(Table table, Table.Index index, Expressions expressions, boolean keyCondition, String filterText,
      String projectionText,
      List<String> attributesToGet, Select requested, Integer limit, Map<String, AttributeValue> startKey,
      boolean consistentRead) {
    if (index != null && index.global() && consistentRead) {
      throw StoreException.validation("Consistent reads are not supported on global secondary indexes");
    }
    Ast.Condition filter = expressions.condition("FilterExpression", filterText);
    List<Path> projectionPaths = expressions.projection(projectionText);
    expressions.finish(keyCondition || filter != null || projectionPaths != null);
    Projection projection = Projection.of(projectionPaths, attributesToGet);
    Select select = requested;
    if (select == null) {
      select = !projection.all() ? Select.SPECIFIC_ATTRIBUTES : index != null ? Select.ALL_PROJECTED_ATTRIBUTES : Select.ALL_ATTRIBUTES;
    }
    if (select == Select.SPECIFIC_ATTRIBUTES && projection.all()) {
      throw StoreException.validation("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
    }
    if (select != Select.SPECIFIC_ATTRIBUTES && !projection.all()) {
      throw StoreException.validation("Cannot specify the ProjectionExpression or AttributesToGet when choosing to get " + select);
    }
    if (select == Select.ALL_PROJECTED_ATTRIBUTES && index == null) {
      throw StoreException.validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
    }
    if (select == Select.ALL_ATTRIBUTES && index != null && index.global() && !index.projectionType().equals("ALL")) {
      throw StoreException.validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index "
          + index.name() + " because its projection type is not ALL");
    }
    if (limit != null && limit < 1) {
      throw StoreException.validation("1 validation error detected: Value '" + limit
          + "' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
    }
    if (startKey != null && startKey.isEmpty()) {
      startKey = null;
    }
    return new Plan(table, index, filter, projection, select, limit == null ? Integer.MAX_VALUE : limit, startKey);
  }

  private Page read(Plan plan, StringBuilder sql, List<byte[]> args) {
    sql.append(" LIMIT ?");
    String statement = sql.toString();
    return database.read(connection -> {
      PreparedStatement select = connection.prepare(statement);
      select.setLong(1, plan.table().id());
      int next = 2;
      for (byte[] arg : args) {
        select.setBytes(next++, arg);
      }
      select.setLong(next, plan.limit() == Integer.MAX_VALUE ? Long.MAX_VALUE : plan.limit());
      List<Map<String, AttributeValue>> items = new ArrayList<>();
      int scanned = 0;
      int matched = 0;
      long bytes = 0;
      Map<String, AttributeValue> last = null;
      boolean full = false;
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          if (full) {
            return page(plan, items, matched, scanned, last);
          }
          Map<String, AttributeValue> item = plan.table().decode(rows.getBytes(1), rows.getBytes(2), rows.getBytes(3));
          Map<String, AttributeValue> visible = plan.index() != null && plan.index().global()
              ? plan.index().project(item, plan.table().key()) : item;
          scanned++;
          bytes += ItemSize.of(visible);
          last = item;
          if (plan.filter() == null || Conditions.holds(plan.filter(), visible)) {
            matched++;
            if (plan.select() != Select.COUNT) {
              items.add(output(plan, item, visible));
            }
          }
          if (scanned >= plan.limit()) {
            return page(plan, items, matched, scanned, last);
          }
          full = bytes >= PAGE_BYTES;
        }
      }
      return page(plan, items, matched, scanned, null);
    });
  }

  private static Map<String, AttributeValue> output(Plan plan, Map<String, AttributeValue> item,
      Map<String, AttributeValue> visible) {
    return switch (plan.select()) {
      case ALL_ATTRIBUTES -> item;
      case ALL_PROJECTED_ATTRIBUTES -> plan.index().project(item, plan.table().key());
      default -> plan.projection().apply(visible);
    };
  }

  private static Page page(Plan plan, List<Map<String, AttributeValue>> items, int count, int scanned,
      Map<String, AttributeValue> last) {
    Map<String, AttributeValue> lastKey = null;
    if (last != null) {
      lastKey = new LinkedHashMap<>(plan.table().keyOf(last));
      if (plan.index() != null) {
        lastKey.put(plan.index().key().hashName(), last.get(plan.index().key().hashName()));
        if (plan.index().key().hasRange()) {
          lastKey.put(plan.index().key().rangeName(), last.get(plan.index().key().rangeName()));
        }
      }
    }
    return new Page(plan.select() == Select.COUNT ? null : items, count, scanned, lastKey);
  }

  /** The document paths a condition reads. */
  static List<Path> paths(Ast.Condition condition, List<Path> into) {
    if (condition instanceof Ast.And and) {
      paths(and.left(), into);
      paths(and.right(), into);
    } else if (condition instanceof Ast.Or or) {
      paths(or.left(), into);
      paths(or.right(), into);
    } else if (condition instanceof Ast.Not not) {
      paths(not.condition(), into);
    } else if (condition instanceof Ast.Exists exists) {
      into.add(exists.path());
    } else if (condition instanceof Ast.NotExists notExists) {
      into.add(notExists.path());
    } else if (condition instanceof Ast.TypeIs typeIs) {
      into.add(typeIs.path());
    } else if (condition instanceof Ast.BeginsWith beginsWith) {
      into.add(beginsWith.path());
      operand(beginsWith.prefix(), into);
    } else if (condition instanceof Ast.Contains contains) {
      into.add(contains.path());
      operand(contains.part(), into);
    } else if (condition instanceof Ast.Compare compare) {
      operand(compare.left(), into);
      operand(compare.right(), into);
    } else if (condition instanceof Ast.Between between) {
      operand(between.operand(), into);
      operand(between.lower(), into);
      operand(between.upper(), into);
    } else if (condition instanceof Ast.In in) {
      operand(in.operand(), into);
      in.candidates().forEach(candidate -> operand(candidate, into));
    }
    return into;
  }

  private static void operand(Ast.Operand operand, List<Path> into) {
    if (operand instanceof Ast.PathOperand path) {
      into.add(path.path());
    } else if (operand instanceof Ast.SizeOperand size) {
      into.add(size.path());
    }
  }
}
