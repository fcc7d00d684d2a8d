package io.parley.store.sdkv1;

import com.amazonaws.services.dynamodbv2.model.ConsumedCapacity;
import io.parley.store.engine.Capacity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** ReturnConsumedCapacity answers as the SDK's ConsumedCapacity: none unless asked for. */
final class SdkV1Capacity {
  private SdkV1Capacity() {}

  /** One table's units (an operation on one item, a Query or a Scan). */
  static ConsumedCapacity of(Capacity.Wanted wanted, String table, double units) {
    return wanted == Capacity.Wanted.NONE ? null : new ConsumedCapacity().withTableName(table).withCapacityUnits(units);
  }

  /** Units per table (a batch or a transaction). */
  static List<ConsumedCapacity> of(Capacity.Wanted wanted, Map<String, Double> byTable) {
    if (wanted == Capacity.Wanted.NONE) {
      return null;
    }
    List<ConsumedCapacity> capacities = new ArrayList<>();
    byTable.forEach((table, units) -> capacities.add(of(wanted, table, units)));
    return capacities;
  }
}
