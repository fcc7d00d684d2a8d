package io.parley.store.engine;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.Requests;
import io.parley.store.model.Responses;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The capacity units of the operations on several items, per table, as ReturnConsumedCapacity TOTAL reports them. */
public final class BatchCapacity {
  private BatchCapacity() {}

  /** BatchGetItem: each item read (or key found missing) on its own; unprocessed keys cost nothing. */
  public static Map<String, Double> read(Requests.BatchGetItem request, Responses.BatchGetResult result) {
    Map<String, Double> byTable = new LinkedHashMap<>();
    request.requestItems().forEach((table, keys) -> {
      boolean consistent = keys.consistentRead();
      List<Map<String, AttributeValue>> items = result.responses().getOrDefault(table, List.of());
      Requests.KeysAndAttributes unprocessed = result.unprocessedKeys().get(table);
      int missing = keys.keys().size() - items.size() - (unprocessed == null ? 0 : unprocessed.keys().size());
      double units = items.stream().mapToDouble(item -> Capacity.read(item, consistent)).sum()
          + Math.max(0, missing) * Capacity.read(null, consistent);
      byTable.put(table, units);
    });
    return byTable;
  }

  /** BatchWriteItem: each put by its item's size, each delete one unit. */
  public static Map<String, Double> write(Requests.BatchWriteItem request) {
    Map<String, Double> byTable = new LinkedHashMap<>();
    request.requestItems().forEach((table, writes) -> byTable.put(table,
        writes.stream().mapToDouble(write -> Capacity.write(write.item())).sum()));
    return byTable;
  }

  /** TransactWriteItems: twice the units of each action's write (a condition check: of a read). */
  public static Map<String, Double> transact(Requests.TransactWriteItems request) {
    Map<String, Double> byTable = new LinkedHashMap<>();
    for (Requests.TransactAction action : request.actions()) {
      double units = action instanceof Requests.TransactPut put ? Capacity.write(put.item())
          : action instanceof Requests.ConditionCheck ? Capacity.read(null, true) : Capacity.write(null);
      byTable.merge(action.table(), 2 * units, Double::sum);
    }
    return byTable;
  }
}
