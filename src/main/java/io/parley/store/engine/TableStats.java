package io.parley.store.engine;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A table's item count and size for DescribeTable. Counting reads the whole table, so, as in
 * DynamoDB (which updates them about every six hours), the figures are counted in the background
 * and may be older than the latest writes; until the first count they are zero.
 */
final class TableStats implements AutoCloseable {
  private static final long SIX_HOURS = TimeUnit.HOURS.toNanos(6);

  /** Counted figures of one table, and when they were counted. */
  record Counted(long items, long bytes, long at) {}

  private final Database database;
  private final Map<Long, Counted> counted = new ConcurrentHashMap<>();
  private final Map<Long, Boolean> counting = new ConcurrentHashMap<>();
  private final ExecutorService counter = Executors.newSingleThreadExecutor(new DaemonThreads("parley-store-stats"));

  TableStats(Database database) {
    this.database = database;
  }

  /** The latest figures of {@code table} (zero if never counted), recounted in the background when old. */
  Counted of(Table table) {
    Counted latest = counted.get(table.id());
    if ((latest == null || System.nanoTime() - latest.at() > SIX_HOURS) && counting.putIfAbsent(table.id(), true) == null) {
      counter.execute(() -> {
        try {
          counted.put(table.id(), count(table));
        } catch (RuntimeException closing) {
          // The next DescribeTable counts again.
        } finally {
          counting.remove(table.id());
        }
      });
    }
    return latest != null ? latest : new Counted(0, 0, 0);
  }

  /** Counts {@code table} now. */
  Counted count(Table table) {
    return database.read(sql -> {
      PreparedStatement count = sql.prepare("SELECT COUNT(*), COALESCE(SUM(LENGTH(h) + LENGTH(r) + LENGTH(item)), 0) FROM items WHERE t = ?");
      count.setLong(1, table.id());
      try (ResultSet row = count.executeQuery()) {
        row.next();
        return new Counted(row.getLong(1), row.getLong(2), System.nanoTime());
      }
    });
  }

  void forget(Table table) {
    counted.remove(table.id());
  }

  @Override
  public void close() throws InterruptedException {
    counter.shutdownNow();
    counter.awaitTermination(10, TimeUnit.SECONDS);
  }
}
