package io.parley.store.engine;

import io.parley.store.expr.Ast;
import io.parley.store.expr.Conditions;
import io.parley.store.expr.Expressions;
import io.parley.store.expr.Updates;
import io.parley.store.model.AttributeValue;
import io.parley.store.model.Requests.BatchWriteItem;
import io.parley.store.model.Requests.ConditionCheck;
import io.parley.store.model.Requests.TransactAction;
import io.parley.store.model.Requests.TransactDelete;
import io.parley.store.model.Requests.TransactPut;
import io.parley.store.model.Requests.TransactUpdate;
import io.parley.store.model.Requests.TransactWriteItems;
import io.parley.store.model.Requests.WriteRequest;
import io.parley.store.model.StoreException;
import io.parley.store.model.StoreException.CancellationReason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** BatchWriteItem and TransactWriteItems: several writes committed together. */
final class Batches {
  /** TransactWriteItems: the items of one transaction total at most 4 MB. */
  private static final long TRANSACTION_BYTES = 4L * 1024 * 1024;

  private final Catalog catalog;
  private final GroupCommit writer;
  private final RequestTokens tokens;

  Batches(Catalog catalog, GroupCommit writer, RequestTokens tokens) {
    this.tokens = tokens;
    this.catalog = catalog;
    this.writer = writer;
  }

  private record Write(Table table, Table.RowKey key, Map<String, AttributeValue> item) {}

  /** Writes every request; nothing is left unprocessed, since the store has no throughput limit. */
  CompletableFuture<Void> batchWrite(BatchWriteItem request) {
    Map<String, List<WriteRequest>> byTable = request.requestItems();
    if (byTable == null || byTable.isEmpty()) {
      throw StoreException.validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }
    List<Write> writes = new ArrayList<>();
    Set<ByteBuffer> seen = new HashSet<>();
    for (Map.Entry<String, List<WriteRequest>> tableWrites : byTable.entrySet()) {
      Table table = catalog.table(tableWrites.getKey());
      if (tableWrites.getValue() == null || tableWrites.getValue().isEmpty()) {
        throw StoreException.validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]");
      }
      for (WriteRequest write : tableWrites.getValue()) {
        if ((write.item() == null) == (write.key() == null)) {
          throw StoreException.validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
        }
        Table.RowKey key;
        if (write.item() != null) {
          key = table.rowKeyOfItem(write.item());
          Items.check(write.item());
          Rows.checkIndexable(table, write.item());
        } else {
          key = table.rowKeyOfKey(write.key());
        }
        if (!seen.add(identity(table, key))) {
          throw StoreException.validation("Provided list of item keys contains duplicates");
        }
        writes.add(new Write(table, key, write.item()));
      }
    }
    if (writes.size() > 25) {
      throw StoreException.validation("Too many items requested for the BatchWriteItem call");
    }
    return writer.enqueue((sql, afterCommit) -> {
      for (Write write : writes) {
        if (!catalog.exists(write.table())) {
          throw StoreException.notFound("Requested resource not found: Table: " + write.table().name() + " not found");
        }
      }
      for (Write write : writes) {
        Map<String, AttributeValue> old = write.table().indexes().isEmpty() ? null : Rows.get(sql, write.table(), write.key());
        if (write.item() != null) {
          Rows.put(sql, write.table(), write.key(), write.item(), old);
        } else {
          Rows.delete(sql, write.table(), write.key(), old);
        }
      }
      return null;
    });
  }

  /** One transaction action, checked and parsed before it reaches the writer. */
  private record Action(Table table, Table.RowKey key, Ast.Condition condition, Map<String, AttributeValue> item,
      Ast.Update update, Map<String, AttributeValue> keyValues, boolean delete, boolean oldOnConditionFailure) {}

  CompletableFuture<Void> transactWrite(TransactWriteItems request) {
    List<TransactAction> given = request.actions();
    if (given == null) {
      throw StoreException.validation("1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null");
    }
    if (given.isEmpty()) {
      throw StoreException.validation("1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }
    if (given.size() > 100) {
      throw StoreException.validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100");
    }
    String token = request.clientRequestToken();
    if (token != null && (token.isEmpty() || token.length() > 36)) {
      throw StoreException.validation("1 validation error detected: Value '" + token
          + "' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36");
    }
    byte[] digest = token == null ? null : RequestTokens.digest(given);
    List<Action> actions = new ArrayList<>();
    Set<ByteBuffer> seen = new HashSet<>();
    for (TransactAction action : given) {
      Action parsed = parse(action);
      if (!seen.add(identity(parsed.table(), parsed.key()))) {
        throw StoreException.validation("Transaction request cannot include multiple operations on one item");
      }
      actions.add(parsed);
    }
    return writer.enqueue((sql, afterCommit) -> {
      // On the writer, in the transaction that writes: a retry queued behind its original sees its token.
      long now = System.currentTimeMillis();
      if (token != null && tokens.seen(sql, token, digest, now)) {
        return null;
      }
      List<Map<String, AttributeValue>> olds = new ArrayList<>();
      List<Map<String, AttributeValue>> news = new ArrayList<>();
      List<CancellationReason> reasons = new ArrayList<>();
      boolean cancelled = false;
      for (Action action : actions) {
        if (!catalog.exists(action.table())) {
          throw StoreException.notFound("Requested resource not found: Table: " + action.table().name() + " not found");
        }
        boolean needsOld = action.condition() != null || action.update() != null || !action.table().indexes().isEmpty();
        Map<String, AttributeValue> old = needsOld ? Rows.get(sql, action.table(), action.key()) : null;
        olds.add(old);
        Map<String, AttributeValue> next = null;
        CancellationReason reason = CancellationReason.NONE;
        if (action.condition() != null && !Conditions.holds(action.condition(), old)) {
          reason = new CancellationReason("ConditionalCheckFailed", "The conditional request failed",
              action.oldOnConditionFailure() ? old : null);
        } else {
          try {
            next = outcome(action, old);
          } catch (StoreException invalid) {
            reason = new CancellationReason("ValidationError", invalid.getMessage(), null);
          }
        }
        news.add(next);
        reasons.add(reason);
        cancelled |= reason != CancellationReason.NONE;
      }
      long size = news.stream().filter(java.util.Objects::nonNull).mapToLong(ItemSize::of).sum();
      if (size > TRANSACTION_BYTES) {
        throw StoreException.validation("Transaction size has exceeded the maximum allowed size of 4 MB");
      }
      if (cancelled) {
        throw new StoreException.TransactionCanceled(reasons);
      }
      for (int i = 0; i < actions.size(); i++) {
        Action action = actions.get(i);
        if (action.delete()) {
          Rows.delete(sql, action.table(), action.key(), olds.get(i));
        } else if (news.get(i) != null) {
          Rows.put(sql, action.table(), action.key(), news.get(i), olds.get(i));
        }
      }
      if (token != null) {
        tokens.remember(sql, token, digest, now);
      }
      return null;
    });
  }

  /** The item an action leaves (null for a delete or a condition check), checked. */
  private static Map<String, AttributeValue> outcome(Action action, Map<String, AttributeValue> old) {
    Map<String, AttributeValue> next;
    if (action.item() != null) {
      next = action.item();
    } else if (action.update() != null) {
      next = Updates.apply(action.update(), old != null ? old : action.keyValues());
    } else {
      return null;
    }
    Items.check(next);
    Rows.checkIndexable(action.table(), next);
    return next;
  }

  private Action parse(TransactAction action) {
    Table table = catalog.table(action.table());
    if (action instanceof TransactPut put) {
      if (put.item() == null) {
        throw StoreException.validation("1 validation error detected: Value null at 'transactItems.1.member.put.item' failed to satisfy constraint: Member must not be null");
      }
      Table.RowKey key = table.rowKeyOfItem(put.item());
      Items.check(put.item());
      Rows.checkIndexable(table, put.item());
      return new Action(table, key, condition(put.conditionExpression(), put.placeholders()), put.item(), null, null, false,
          put.oldOnConditionFailure());
    }
    if (action instanceof TransactUpdate update) {
      Table.RowKey key = table.rowKeyOfKey(update.key());
      Expressions expressions = new Expressions(update.placeholders());
      Ast.Update parsed = expressions.update(update.updateExpression());
      if (parsed == null) {
        throw StoreException.validation("1 validation error detected: Value null at 'transactItems.1.member.update.updateExpression' failed to satisfy constraint: Member must not be null");
      }
      Ast.Condition condition = expressions.condition("ConditionExpression", update.conditionExpression());
      expressions.finish(true);
      ItemWrites.checkNoKeyChange(table, parsed);
      return new Action(table, key, condition, null, parsed, update.key(), false, update.oldOnConditionFailure());
    }
    if (action instanceof TransactDelete delete) {
      Table.RowKey key = table.rowKeyOfKey(delete.key());
      return new Action(table, key, condition(delete.conditionExpression(), delete.placeholders()), null, null, null, true,
          delete.oldOnConditionFailure());
    }
    ConditionCheck check = (ConditionCheck) action;
    Table.RowKey key = table.rowKeyOfKey(check.key());
    if (check.conditionExpression() == null) {
      throw StoreException.validation("1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null");
    }
    return new Action(table, key, condition(check.conditionExpression(), check.placeholders()), null, null, null, false,
        check.oldOnConditionFailure());
  }

  private static Ast.Condition condition(String text, io.parley.store.model.Requests.Placeholders placeholders) {
    Expressions expressions = new Expressions(placeholders);
    Ast.Condition condition = expressions.condition("ConditionExpression", text);
    expressions.finish(condition != null);
    return condition;
  }

  private static ByteBuffer identity(Table table, Table.RowKey key) {
    ByteBuffer buffer = ByteBuffer.allocate(12 + key.hash().length + key.range().length);
    buffer.putLong(table.id()).putInt(key.hash().length).put(key.hash()).put(key.range()).flip();
    return buffer;
  }
}
