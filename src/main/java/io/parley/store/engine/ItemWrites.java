package io.parley.store.engine;

import io.parley.store.expr.Ast;
import io.parley.store.expr.Conditions;
import io.parley.store.expr.Documents;
import io.parley.store.expr.Expressions;
import io.parley.store.expr.Path;
import io.parley.store.expr.Updates;
import io.parley.store.model.AttributeValue;
import io.parley.store.model.Requests.DeleteItem;
import io.parley.store.model.Requests.PutItem;
import io.parley.store.model.Requests.ReturnValues;
import io.parley.store.model.Requests.UpdateItem;
import io.parley.store.model.StoreException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * PutItem, DeleteItem and UpdateItem. Each request is checked and its expressions parsed on the
 * caller's thread; only the read of the current item, the condition and the row writes run on the
 * writer.
 */
final class ItemWrites {
  private final Catalog catalog;
  private final GroupCommit writer;

  ItemWrites(Catalog catalog, GroupCommit writer) {
    this.catalog = catalog;
    this.writer = writer;
  }

  CompletableFuture<Map<String, AttributeValue>> put(PutItem request) {
    Table table = catalog.table(request.table());
    Map<String, AttributeValue> item = request.item();
    if (item == null) {
      throw StoreException.validation("1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null");
    }
    Table.RowKey key = table.rowKeyOfItem(item);
    Items.check(item);
    Rows.checkIndexable(table, item);
    ReturnValues returnValues = only(request.returnValues(), ReturnValues.ALL_OLD);
    Expressions expressions = new Expressions(request.placeholders());
    Ast.Condition condition = expressions.condition("ConditionExpression", request.conditionExpression());
    expressions.finish(condition != null);
    boolean needsOld = condition != null || returnValues == ReturnValues.ALL_OLD || !table.indexes().isEmpty();
    return writer.enqueue((sql, afterCommit) -> {
      checkStillThere(table);
      Map<String, AttributeValue> old = needsOld ? Rows.get(sql, table, key) : null;
      if (condition != null && !Conditions.holds(condition, old)) {
        throw StoreException.conditionFailed(request.oldOnConditionFailure() ? old : null);
      }
      Rows.put(sql, table, key, item, old);
      return returnValues == ReturnValues.ALL_OLD ? old : null;
    });
  }

  CompletableFuture<Map<String, AttributeValue>> delete(DeleteItem request) {
    Table table = catalog.table(request.table());
    Table.RowKey key = table.rowKeyOfKey(request.key());
    ReturnValues returnValues = only(request.returnValues(), ReturnValues.ALL_OLD);
    Expressions expressions = new Expressions(request.placeholders());
    Ast.Condition condition = expressions.condition("ConditionExpression", request.conditionExpression());
    expressions.finish(condition != null);
    return writer.enqueue((sql, afterCommit) -> {
      checkStillThere(table);
      Map<String, AttributeValue> old = Rows.get(sql, table, key);
      if (condition != null && !Conditions.holds(condition, old)) {
        throw StoreException.conditionFailed(request.oldOnConditionFailure() ? old : null);
      }
      if (old != null) {
        Rows.delete(sql, table, key, old);
      }
      return returnValues == ReturnValues.ALL_OLD ? old : null;
    });
  }

  CompletableFuture<Map<String, AttributeValue>> update(UpdateItem request) {
    Table table = catalog.table(request.table());
    Table.RowKey key = table.rowKeyOfKey(request.key());
    ReturnValues returnValues = request.returnValues() == null ? ReturnValues.NONE : request.returnValues();
    Expressions expressions = new Expressions(request.placeholders());
    Ast.Update update = expressions.update(request.updateExpression());
    Ast.Condition condition = expressions.condition("ConditionExpression", request.conditionExpression());
    expressions.finish(update != null || condition != null);
    if (update != null) {
      checkNoKeyChange(table, update);
    }
    Map<String, AttributeValue> keyValues = request.key();
    return writer.enqueue((sql, afterCommit) -> {
      checkStillThere(table);
      Map<String, AttributeValue> old = Rows.get(sql, table, key);
      if (condition != null && !Conditions.holds(condition, old)) {
        throw StoreException.conditionFailed(request.oldOnConditionFailure() ? old : null);
      }
      Map<String, AttributeValue> base = old != null ? old : keyValues;
      Map<String, AttributeValue> item = update == null ? base : Updates.apply(update, base);
      Items.check(item);
      Rows.checkIndexable(table, item);
      Rows.put(sql, table, key, item, old);
      return returned(returnValues, update, old, item);
    });
  }

  /** What UpdateItem returns for {@code returnValues}. */
  static Map<String, AttributeValue> returned(ReturnValues returnValues, Ast.Update update,
      Map<String, AttributeValue> old, Map<String, AttributeValue> item) {
    List<Path> paths = update == null ? List.of() : update.paths();
    Map<String, AttributeValue> result = switch (returnValues) {
      case NONE -> null;
      case ALL_OLD -> old;
      case ALL_NEW -> item;
      case UPDATED_OLD -> old == null ? null : Documents.project(old, paths);
      case UPDATED_NEW -> Documents.project(item, paths);
    };
    return result == null || result.isEmpty() ? null : result;
  }

  static void checkNoKeyChange(Table table, Ast.Update update) {
    for (Path path : update.paths()) {
      if (table.key().isKey(path.topName())) {
        throw StoreException.validation("One or more parameter values were invalid: Cannot update attribute "
            + path.topName() + ". This attribute is part of the key");
      }
    }
  }

  private static ReturnValues only(ReturnValues given, ReturnValues allowed) {
    if (given == null || given == ReturnValues.NONE) {
      return ReturnValues.NONE;
    }
    if (given != allowed) {
      throw StoreException.validation("Return values set to invalid value");
    }
    return given;
  }

  void checkStillThere(Table table) {
    if (!catalog.exists(table)) {
      throw StoreException.notFound("Requested resource not found: Table: " + table.name() + " not found");
    }
  }
}
