package io.parley.store.engine;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.StoreException;
import java.util.List;
import java.util.Map;

/**
 * ReturnConsumedCapacity: the capacity units DynamoDB would charge, from the sizes of the items a
 * request writes or an answer carries. A write costs one unit per 1 KB of its item (at least one);
 * a read one unit per 4 KB (at least one), half of that when eventually consistent; a transaction
 * twice as much. The doors report them per table.
 */
public final class Capacity {
  private Capacity() {}

  /** What a request asks for; INDEXES (per index) is not supported and refused. */
  public enum Wanted {
    NONE, TOTAL;

    public static Wanted parse(String given) {
      if (given == null || given.equals("NONE")) {
        return NONE;
      }
      if (given.equals("TOTAL")) {
        return TOTAL;
      }
      if (given.equals("INDEXES")) {
        throw StoreException.unsupported("ReturnConsumedCapacity INDEXES");
      }
      throw StoreException.validation("1 validation error detected: Value '" + given
          + "' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]");
    }
  }

  private static final int WRITE_UNIT = 1024;
  private static final int READ_UNIT = 4096;

  /** Writing {@code item} (null: a delete, or an item the answer does not carry). */
  public static double write(Map<String, AttributeValue> item) {
    return item == null ? 1 : units(ItemSize.of(item), WRITE_UNIT);
  }

  /** Reading one item (null: none found, which costs the least read). */
  public static double read(Map<String, AttributeValue> item, boolean consistent) {
    return scaled(item == null ? 1 : units(ItemSize.of(item), READ_UNIT), consistent);
  }

  /** Reading a page of items, sized together as Query and Scan are. */
  public static double page(List<Map<String, AttributeValue>> items, boolean consistent) {
    long bytes = items == null ? 0 : items.stream().mapToLong(ItemSize::of).sum();
    return scaled(units(bytes, READ_UNIT), consistent);
  }

  private static long units(long bytes, int unit) {
    return Math.max(1, (bytes + unit - 1) / unit);
  }

  private static double scaled(long units, boolean consistent) {
    return consistent ? units : units / 2.0;
  }
}
